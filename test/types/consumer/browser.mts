// A browser or worker consumer: `promptfold` resolves to the portable core (dist/core.d.ts),
// with no @types/node: everything the core's declarations use comes from the ES and DOM libs.
import { assemble, type AssemblyReport, EncodingNotLoadedError, loadEncoding, memoryResolver, parseDocument } from 'promptfold'

await loadEncoding('o200k_base')
const doc = parseDocument('# Agent\n\nSee orchestr8://examples/a.\n', { path: 'agents/agent.md' })
const { text, report }: { text: string; report: AssemblyReport } = await assemble(doc, { budget: 100, resolver: memoryResolver({ 'orchestr8://examples/a': '# A\n' }) })
const error: EncodingNotLoadedError = new EncodingNotLoadedError('cl100k_base')
document.title = `${text.length} ${report.totalTokens} ${error.code}`
