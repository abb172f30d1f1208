/**
 * Test launcher: `node --import tsx test/mcp/launch.ts <root>` serves `<root>` over stdio,
 * like `promptfold serve <root>` will once the CLI wires `serve`.
 */
import { serve } from '../../src/mcp/index.js'

const root = process.argv[2]
if (!root) {
  process.stderr.write('usage: launch.ts <root>\n')
  process.exit(2)
}
serve(root).catch((error: unknown) => {
  process.stderr.write(`promptfold serve: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
