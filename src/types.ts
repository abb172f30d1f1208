/**
 * Plain data types shared by every stage of the pipeline.
 *
 * @module
 */
import type { Never } from './schema-types.js'

/** A point in a source file. `line` and `column` are 1-based, `offset` is 0-based (UTF-16 units). */
export interface Point {
  /** 1-based line. */
  line: number
  /** 1-based column. */
  column: number
  /** 0-based offset in UTF-16 units. */
  offset: number
}

/** How serious a diagnostic is. `error` means data was lost or ignored; `warning` means it was recovered. */
export type Severity = 'error' | 'warning' | 'info'

/**
 * Every code a {@link Diagnostic} (or a `lint` finding) can carry, alphabetical; each says
 * what it means and its usual severity. {@link DIAGNOSTIC_CODES} lists the same codes at
 * run time. To add a code, add it here and there (in order): the build fails until both agree,
 * and docs/api.md's table of codes must list it (a test checks).
 */
export type DiagnosticCode =
  /** A name (frontmatter `id` or file name) is claimed by several library documents; it resolves to none of them (warning). */
  | 'ALIAS_AMBIGUOUS'
  /** `lint`: the document could not be assembled at all (error). */
  | 'ASSEMBLE_FAILED'
  /** A leading byte-order mark was removed (info). */
  | 'BOM'
  /** The frontmatter `category` differs from the document's folder; the frontmatter wins (info). */
  | 'CATEGORY_MISMATCH'
  /** The content is binary, not text (a NUL, or many control or U+FFFD characters); kept as it is, not analysed (error). */
  | 'CONTENT_BINARY'
  /** A library folder could not be read; its files are left out (error). */
  | 'DIRECTORY_UNREADABLE'
  /** `lint`: two documents under one root have the same frontmatter `id` (error). */
  | 'DUPLICATE_ID'
  /** `lint`: frontmatter `estimatedTokens` is more than 25% off the measured count of the body (error, fixable). */
  | 'ESTIMATE_OFF'
  /** A library file is over the size limit; not read (error). */
  | 'FILE_TOO_LARGE'
  /** A library file could not be read, or is no longer a regular file (error). */
  | 'FILE_UNREADABLE'
  /** The frontmatter uses more than 100 YAML aliases, or its aliases expand past 1 MiB of text beyond the YAML; the frontmatter is refused, the body kept (error). */
  | 'FRONTMATTER_ALIASES'
  /** A frontmatter field contains itself through a YAML alias; the field is dropped (error). */
  | 'FRONTMATTER_CYCLE'
  /** A frontmatter field has the wrong type; it is dropped from `meta` (error). */
  | 'FRONTMATTER_INVALID_FIELD'
  /** The frontmatter is not valid YAML (line and column given); read as if there were none (error). */
  | 'FRONTMATTER_INVALID_YAML'
  /** The frontmatter uses the older unquoted `@scheme://` syntax; recovered (warning). */
  | 'FRONTMATTER_LEGACY_AT'
  /** The document has no frontmatter block (info). */
  | 'FRONTMATTER_MISSING'
  /** The frontmatter YAML is a list or a scalar, not a mapping (error). */
  | 'FRONTMATTER_NOT_MAPPING'
  /** The frontmatter is not valid YAML but reads as simple `key: value` lines (a Claude Code subagent's unquoted description, a Cursor rule's `globs:` with an unquoted `*` pattern); those fields were recovered, the line named (warning). */
  | 'FRONTMATTER_RECOVERED'
  /** The frontmatter is indented with a tab, which YAML forbids; read leniently (warning). */
  | 'FRONTMATTER_TAB_INDENT'
  /** A frontmatter field expands past 100,000 values through YAML aliases; the field is dropped (error). */
  | 'FRONTMATTER_TOO_LARGE'
  /** `---` opened a frontmatter block that is never closed; the whole file is body (error). */
  | 'FRONTMATTER_UNTERMINATED'
  /** `lint`: a `(~N tokens)` hint is more than 25% off the measured cost of its target (error). */
  | 'HINT_OFF'
  /** The frontmatter `id` differs from the file name (warning). */
  | 'ID_MISMATCH'
  /** An inlined document ends inside a fence, an HTML comment or a `<pre>` never closed; promptfold closes it after the document (warning). */
  | 'INLINED_UNCLOSED'
  /** The file is not valid UTF-8; invalid bytes were replaced with U+FFFD (warning). */
  | 'INVALID_UTF8'
  /** Slots deeper than `maxDepth` are deferred, not followed; reported once (info). */
  | 'LIMIT_MAX_DEPTH'
  /** `maxDocuments` resolver calls were made; no more targets are fetched; reported once (warning). */
  | 'LIMIT_MAX_DOCUMENTS'
  /** The document is over `maxDocumentBytes`: not analysed (parse) or not used (resolved) (error). */
  | 'LIMIT_MAX_DOCUMENT_BYTES'
  /** A library stopped indexing at `maxFiles` files (warning). */
  | 'LIMIT_MAX_FILES'
  /** `maxMatches` match searches were made; later dynamic slots are deferred; reported once (warning). */
  | 'LIMIT_MAX_MATCHES'
  /** A dynamic `match?` slot asked for, or its `match` function answered with, more than `maxMatchResults` URIs; cut to that many (warning). */
  | 'LIMIT_MAX_MATCH_RESULTS'
  /** The document links or names local files, but relative references are not followed here (its path is unknown, or they are turned off); they are left as text and count as nothing (warning). */
  | 'LINKS_NOT_FOLLOWED'
  /** A markdown link to a relative path whose file does not exist (error). */
  | 'LINK_BROKEN'
  /** A relative reference names a file that exists only in another letter case (it works on macOS and Windows, breaks on Linux); not followed (error). */
  | 'LINK_CASE_MISMATCH'
  /** A relative reference leads outside its skill folder or the library root; not followed (warning). */
  | 'LINK_OUTSIDE_ROOT'
  /** `lint`: a file a skill references references further files (the spec advises one level) (warning). */
  | 'LINK_TOO_DEEP'
  /** A `match?` reference has unfilled `${name}` placeholders; the slot is deferred (warning). */
  | 'MATCH_PLACEHOLDER'
  /** The optimal selection search hit its node cap; the best selection found is used (warning). */
  | 'OPTIMAL_SEARCH_LIMIT'
  /** The markdown body could not be parsed within the parse's limit of CPU time (or nests too deeply); kept as plain text, not analysed (error). */
  | 'PARSE_LIMIT'
  /** A reference leads back to a document being assembled; not followed (warning). */
  | 'REFERENCE_CYCLE'
  /** A reference URI is malformed (bad escape, empty path, too long, ...) (warning; `lint` reports it as an error). */
  | 'REFERENCE_INVALID'
  /** A body reference uses the older `@scheme://` syntax (info). */
  | 'REFERENCE_LEGACY_AT'
  /** A reference's target was not found or could not be fetched (warning). */
  | 'REFERENCE_MISSING'
  /** A `match?` query has a bad parameter (`maxResults=abc`) (warning). */
  | 'REFERENCE_QUERY'
  /** The resolver refused a reference's target (access denied) (warning). */
  | 'REFERENCE_REFUSED'
  /** Something that stands where a reference would has a scheme that is not a reference scheme; kept as text (info). */
  | 'REFERENCE_UNKNOWN_SCHEME'
  /** A library resolved a reference by a document's name (id or file name) (info). */
  | 'RESOLVED_BY_ALIAS'
  /** A library resolved a reference by category folder and file name, not its full path (warning). */
  | 'RESOLVED_FLAT_PATH'
  /** `lint`: a SKILL.md body is over 500 lines or 5,000 tokens (warning). */
  | 'SKILL_BODY_TOO_LONG'
  /** `lint`: a skill's `compatibility` is not a string of at most 500 characters (error). */
  | 'SKILL_COMPATIBILITY_INVALID'
  /** `lint`: a skill's `description` is missing, empty or over 1,024 characters (error). */
  | 'SKILL_DESCRIPTION_INVALID'
  /** `lint`: a skill's `metadata` is not a map of strings to strings (error). */
  | 'SKILL_METADATA_INVALID'
  /** `lint`: a skill's `name` is not 1-64 characters of lowercase a-z, digits and hyphens (no hyphen first, last or doubled) (error). */
  | 'SKILL_NAME_INVALID'
  /** `lint`: a skill's `name` differs from its folder's name (error). */
  | 'SKILL_NAME_MISMATCH'
  /** `lint`: slots lead back to where they started (error). */
  | 'SLOT_CYCLE'
  /** A library skipped a broken symbolic link (warning). */
  | 'SYMLINK_BROKEN'
  /** A library skipped a symbolic link that leads outside its root (warning; error when a file changed into one). */
  | 'SYMLINK_OUTSIDE_ROOT'
  /** `lint`: a slot, mention or related resource whose target names no single document (error). */
  | 'UNRESOLVED_REFERENCE'

/** Every {@link DiagnosticCode}, in the same (alphabetical) order. */
export const DIAGNOSTIC_CODES = [
  'ALIAS_AMBIGUOUS',
  'ASSEMBLE_FAILED',
  'BOM',
  'CATEGORY_MISMATCH',
  'CONTENT_BINARY',
  'DIRECTORY_UNREADABLE',
  'DUPLICATE_ID',
  'ESTIMATE_OFF',
  'FILE_TOO_LARGE',
  'FILE_UNREADABLE',
  'FRONTMATTER_ALIASES',
  'FRONTMATTER_CYCLE',
  'FRONTMATTER_INVALID_FIELD',
  'FRONTMATTER_INVALID_YAML',
  'FRONTMATTER_LEGACY_AT',
  'FRONTMATTER_MISSING',
  'FRONTMATTER_NOT_MAPPING',
  'FRONTMATTER_RECOVERED',
  'FRONTMATTER_TAB_INDENT',
  'FRONTMATTER_TOO_LARGE',
  'FRONTMATTER_UNTERMINATED',
  'HINT_OFF',
  'ID_MISMATCH',
  'INLINED_UNCLOSED',
  'INVALID_UTF8',
  'LIMIT_MAX_DEPTH',
  'LIMIT_MAX_DOCUMENTS',
  'LIMIT_MAX_DOCUMENT_BYTES',
  'LIMIT_MAX_FILES',
  'LIMIT_MAX_MATCHES',
  'LIMIT_MAX_MATCH_RESULTS',
  'LINKS_NOT_FOLLOWED',
  'LINK_BROKEN',
  'LINK_CASE_MISMATCH',
  'LINK_OUTSIDE_ROOT',
  'LINK_TOO_DEEP',
  'MATCH_PLACEHOLDER',
  'OPTIMAL_SEARCH_LIMIT',
  'PARSE_LIMIT',
  'REFERENCE_CYCLE',
  'REFERENCE_INVALID',
  'REFERENCE_LEGACY_AT',
  'REFERENCE_MISSING',
  'REFERENCE_QUERY',
  'REFERENCE_REFUSED',
  'REFERENCE_UNKNOWN_SCHEME',
  'RESOLVED_BY_ALIAS',
  'RESOLVED_FLAT_PATH',
  'SKILL_BODY_TOO_LONG',
  'SKILL_COMPATIBILITY_INVALID',
  'SKILL_DESCRIPTION_INVALID',
  'SKILL_METADATA_INVALID',
  'SKILL_NAME_INVALID',
  'SKILL_NAME_MISMATCH',
  'SLOT_CYCLE',
  'SYMLINK_BROKEN',
  'SYMLINK_OUTSIDE_ROOT',
  'UNRESOLVED_REFERENCE',
] as const satisfies readonly DiagnosticCode[]

// The list and the union agree: `satisfies` above rejects a listed code the union lacks;
// this rejects a code of the union the list lacks, and names it.
type EveryCodeListed = Never<Exclude<DiagnosticCode, (typeof DIAGNOSTIC_CODES)[number]>>

/** A problem found in a document. Parsing collects these instead of throwing. */
export interface Diagnostic {
  /** Stable machine-readable code, e.g. `'FRONTMATTER_MISSING'` (see {@link DiagnosticCode}). */
  code: DiagnosticCode
  /** How serious it is. */
  severity: Severity
  /** What happened, in one sentence. */
  message: string
  /** File the problem is in, when known. */
  file?: string | undefined
  /** 1-based line in the file, when known. */
  line?: number | undefined
  /** 1-based column, when known. */
  column?: number | undefined
}

/**
 * How a reference appears in a document: a `slot` stands alone as a block, a `mention` sits in
 * running text, `related` comes from frontmatter `relatedResources`; a `link` is a markdown link
 * to a relative path (`[guide](./reference/x.md)`) and a `path` a relative path in inline code
 * (`` `scripts/run.py` ``) that names an existing file (Agent Skills).
 */
export type ReferenceKind = 'slot' | 'mention' | 'related' | 'link' | 'path'
