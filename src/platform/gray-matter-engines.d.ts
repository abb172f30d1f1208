/**
 * gray-matter's engines module (gray-matter ships no declarations for it): the YAML engine is
 * js-yaml's safe loader. Imported alone because gray-matter's main module needs `fs`.
 */
declare module 'gray-matter/lib/engines.js' {
  const engines: { yaml: { parse(text: string): unknown } }
  export default engines
}
