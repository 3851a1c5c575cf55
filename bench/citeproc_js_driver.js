// Formats CSL-JSON items one at a time with citeproc-js (npm `citeproc`), the reference
// CSL processor kb's formatter is measured against (bench/formatting.py, tests/test_formatting_oracle.py).
//
//   node citeproc_js_driver.js MODULE_DIR LOCALES_DIR < request.json > answer.json
//
// request: {"styles": {"apa": "/path/apa.csl", ...}, "items": [CSL-JSON items], "formats": ["text", "html"]}
// answer:  {"apa": {"text": {id: reference}, "html": {id: reference}, "seconds": {"text": s, "html": s}}, ...}
// A reference citeproc-js cannot make is null (its error is printed to stderr).
"use strict";
const fs = require("fs");
const path = require("path");

const [moduleDir, localesDir] = process.argv.slice(2);
const CSL = require(path.join(moduleDir, "node_modules", "citeproc"));
const request = JSON.parse(fs.readFileSync(0, "utf8"));
const items = Object.fromEntries(request.items.map((item) => [String(item.id), item]));

const sys = {
  retrieveLocale: (lang) => {
    const file = path.join(localesDir, `locales-${lang}.xml`);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : false;
  },
  retrieveItem: (id) => items[id],
};

const answer = {};
for (const [name, stylePath] of Object.entries(request.styles)) {
  const styleXml = fs.readFileSync(stylePath, "utf8");
  answer[name] = { seconds: {} };
  // the style's own default-locale (en-US when it names none), as pandoc reads it; reading the
  // style is most of the time
  const engine = new CSL.Engine(sys, styleXml);
  for (const format of request.formats) {
    engine.setOutputFormat(format);
    const out = {};
    const start = process.hrtime.bigint();
    for (const id of Object.keys(items)) {
      try {
        engine.updateItems([id]); // one item at a time: no disambiguation or author substitution across works
        const bib = engine.makeBibliography();
        out[id] = bib ? bib[1].join("") : null;
      } catch (error) {
        process.stderr.write(`${name} ${format} ${id}: ${error}\n`);
        out[id] = null;
      }
    }
    answer[name].seconds[format] = Number(process.hrtime.bigint() - start) / 1e9;
    answer[name][format] = out;
  }
}
process.stdout.write(JSON.stringify(answer));
