// promptfold/testing from CommonJS (type-checked by scripts/package-check.sh).
import { promptfoldMatchers, promptfoldSerializer } from 'promptfold/testing'
export const names = Object.keys(promptfoldMatchers)
export const takes = promptfoldSerializer.test
