/**
 * The rank table built in the parser's worker thread: `dist/rank-table.cjs`, which the worker
 * requires (src/parse/offload.ts). The same table {@link loadRankTable} builds here, as
 * fields a thread can send (see `rankTableFields`).
 *
 * @module
 */
import type { EncodingName } from './encodings.js'
import { loadRankTable, type RankTableFields, rankTableFields } from './ranks.js'

/**
 * The fields of the rank table of `encoding`, as {@link loadRankTable} builds it.
 *
 * @param encoding - A supported encoding.
 */
export function rankTableFieldsOf(encoding: EncodingName): RankTableFields {
  return rankTableFields(loadRankTable(encoding))
}
