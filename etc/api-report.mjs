#!/usr/bin/env node
// The public API report: etc/promptfold.api.md, etc/promptfold-mcp.api.md,
// etc/promptfold-testing.api.md and etc/promptfold-core.api.md (the portable core: what browsers,
// workers and edge runtimes get), written by API Extractor from the built declarations
// (dist/index.d.ts, dist/core.d.ts, dist/mcp.d.ts, dist/testing.d.ts), so that a change to the public
// surface shows up in review as a change to these files.
//
//   node etc/api-report.mjs           write the reports (`npm run api`, which builds first when dist/ is stale)
//   node etc/api-report.mjs --check   fail (exit 1) when a report differs from the built declarations
//                                     (`npm run api:check`; scripts/package-check.sh runs it after its build)
//
// One process for the four entries: the compiler is loaded once.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor'

const etc = dirname(fileURLToPath(import.meta.url))
const check = process.argv.includes('--check')
const CONFIGS = ['api-extractor.json', 'api-extractor.core.json', 'api-extractor.mcp.json', 'api-extractor.testing.json']

let failed = false
for (const name of CONFIGS) {
  const config = ExtractorConfig.loadFileAndPrepare(join(etc, name))
  if (!existsSync(config.mainEntryPointFilePath)) {
    console.error(`api-report: ${config.mainEntryPointFilePath} is missing: run npm run build first`)
    process.exit(2)
  }
  const result = Extractor.invoke(config, {
    localBuild: !check,
    // Only problems are printed; the report file says the rest.
    messageCallback: (message) => {
      if (message.logLevel === 'info' || message.logLevel === 'verbose') message.handled = true
      if (message.messageId === 'console-api-report-created' || message.messageId === 'console-api-report-copied' || message.messageId === 'console-api-report-changed') message.handled = true
    },
  })
  const report = `etc/${config.reportConfigs[0]?.fileName ?? `${config.reportFolder}`}`
  if (check && result.apiReportChanged) {
    console.error(`api-report: ${report} differs from the built declarations: the public API changed. Run \`npm run api\` and commit the report.`)
    failed = true
  } else if (!result.succeeded) {
    console.error(`api-report: API Extractor failed on ${name} (${result.errorCount} errors, ${result.warningCount} warnings)`)
    failed = true
  } else {
    console.log(`api-report: ${report} ${check ? 'is up to date' : result.apiReportChanged ? 'written (changed)' : 'unchanged'}`)
  }
}
process.exit(failed ? 1 : 0)
