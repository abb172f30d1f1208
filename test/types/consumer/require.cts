import { assemble, parseDocument } from 'promptfold'
import { createServer } from 'promptfold/mcp'
export const causes = assemble(parseDocument('# Agent\n'), { budget: 100 }).then(({ report }) => report.references.map((r) => r.cause))
export const make = createServer
