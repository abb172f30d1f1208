import { assemble, parseDocument } from 'promptfold'
import { summary } from './uses.js'
const { report } = await assemble(parseDocument('# Agent\n', { path: 'agents/agent.md' }), { budget: 100 })
console.log(summary(report, parseDocument('---\nid: a\n---\n# A\n').meta))
