// citation-js 0.8 as a bib -> CSL-JSON converter, as in shared/real-clients.md §1.4.
// usage: node bib2csl.mjs in.bib out.json   (copied into benchmarks/.node/ by bench_export.py,
// because ES module imports resolve node_modules relative to the script's own folder)
import { readFileSync, writeFileSync } from 'node:fs'
import { Cite } from '@citation-js/core'
import '@citation-js/plugin-bibtex'
import '@citation-js/plugin-csl'
const [,, inp, out] = process.argv
const cite = new Cite(readFileSync(inp, 'utf8'), { forceType: '@bibtex/text' })
writeFileSync(out, cite.format('data', { format: 'text' }))
process.stderr.write(`entries: ${cite.data.length}\n`)
