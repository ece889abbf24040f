/**
 * PAGE_CSS styles every strata HTML report: one column that reads on a phone, wider grids on a
 * desktop, light and dark schemes, and the shared widgets (cards, bar chart, file tree, tables,
 * timeline). Inline so the file works offline; no web fonts.
 */
export const PAGE_CSS = `
:root{--bg:#f7f8fa;--panel:#fff;--ink:#1d2330;--muted:#5d6678;--line:#e2e5ea;--accent:#3867d6;
--added:#1f9d55;--modified:#c58a00;--removed:#d64545;--kept:#3867d6;--hidden:#e8a33d;--track:#eef0f4;
--cached:#1f9d55;--built:#3867d6;--failed:#d64545;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
@media (prefers-color-scheme:dark){:root{--bg:#14171c;--panel:#1c2027;--ink:#e6e9ef;--muted:#9aa3b2;--line:#2c323c;
--accent:#7aa2f7;--kept:#7aa2f7;--track:#262b34}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header.top{padding:20px 16px 8px;max-width:1100px;margin:0 auto}
header.top h1{font-size:1.35rem;margin:0 0 2px;word-break:break-all}
header.top p{margin:0;color:var(--muted);font-size:.9rem;word-break:break-all}
main{max-width:1100px;margin:0 auto;padding:0 16px 40px}
section{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:14px 16px;margin:14px 0}
section>h2{font-size:1.05rem;margin:0 0 10px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:14px 0}
.card{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:10px 14px}
.card .k{color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:1.35rem;font-weight:600;font-variant-numeric:tabular-nums}
.card .s{color:var(--muted);font-size:.8rem}
.card.bad .v{color:var(--removed)}.card.good .v{color:var(--added)}
figure{margin:0}
.bar-row{display:grid;grid-template-columns:minmax(0,14rem) minmax(0,1fr) 5.5rem;gap:10px;align-items:center;padding:3px 0}
.bar-label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;font-size:.9rem}
.bar-label a{color:inherit;text-decoration:none}.bar-label a:hover{text-decoration:underline}
svg.bar{width:100%;height:18px;display:block;border-radius:4px}
svg.bar .track{fill:var(--track)}
.seg-kept{fill:var(--kept);background:var(--kept)}.seg-hidden{fill:var(--hidden);background:var(--hidden)}
.seg-cached{fill:var(--cached);background:var(--cached)}.seg-built{fill:var(--built);background:var(--built)}
.bar-value{text-align:right;font-variant-numeric:tabular-nums;font-size:.85rem;color:var(--muted)}
figcaption{color:var(--muted);font-size:.8rem;margin-top:8px;display:flex;flex-wrap:wrap;gap:6px 16px;justify-content:space-between}
.legend{display:flex;gap:12px;flex-wrap:wrap}.key{display:inline-flex;align-items:center;gap:5px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:3px}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.88rem}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600;font-size:.78rem;text-transform:uppercase;letter-spacing:.03em}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;width:1%}
td.path{font-family:var(--mono);font-size:.82rem;overflow-wrap:anywhere}
details.layer{border:1px solid var(--line);border-radius:8px;margin:8px 0;background:var(--panel)}
details.layer>summary{cursor:pointer;padding:10px 12px;display:flex;flex-wrap:wrap;gap:4px 12px;align-items:baseline;list-style:none}
details.layer>summary::-webkit-details-marker{display:none}
details.layer>summary::before{content:"▸";color:var(--muted);width:1em}
details.layer[open]>summary::before{content:"▾"}
details.layer>summary .idx{font-weight:700}
details.layer>summary .cmd{font-family:var(--mono);font-size:.82rem;flex:1 1 16rem;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.counts{font-variant-numeric:tabular-nums;font-size:.85rem;white-space:nowrap}
.counts .a{color:var(--added)}.counts .m{color:var(--modified)}.counts .r{color:var(--removed)}
.layer-body{padding:0 12px 12px}
.layer-body pre{white-space:pre-wrap;word-break:break-all;background:var(--track);padding:8px;border-radius:6px;font-size:.8rem;margin:0 0 8px}
.meta{color:var(--muted);font-size:.8rem;word-break:break-all;margin:0 0 8px}
.toolbar{display:flex;gap:8px;flex-wrap:wrap;margin:0 0 8px}
button,input[type=search]{font:inherit;font-size:.85rem;border:1px solid var(--line);background:var(--panel);color:var(--ink);border-radius:6px;padding:4px 10px}
button{cursor:pointer}input[type=search]{flex:1 1 12rem;min-width:0}
ul.tree,ul.tree ul{list-style:none;margin:0;padding-left:1.1rem}
ul.tree{padding-left:0;font-family:var(--mono);font-size:.82rem}
ul.tree li{margin:1px 0}
ul.tree summary{cursor:pointer;list-style:none}
ul.tree summary::-webkit-details-marker{display:none}
ul.tree summary::before{content:"▸ ";color:var(--muted)}
ul.tree details[open]>summary::before{content:"▾ "}
.node>span.mark,.node>details>summary>span.mark{display:inline-block;width:1.1em;font-weight:700}
.node .size{color:var(--muted);margin-left:.6em;font-size:.78rem}
.node.added>.mark,.node.added>details>summary>.mark,.node.added>.name,.node.added>details>summary>.name{color:var(--added)}
.node.modified>.mark,.node.modified>details>summary>.mark,.node.modified>.name,.node.modified>details>summary>.name{color:var(--modified)}
.node.removed>.mark,.node.removed>details>summary>.mark{color:var(--removed)}
.node.removed>.name,.node.removed>details>summary>.name{color:var(--removed);text-decoration:line-through}
.node.hide{display:none}
.note{color:var(--muted);font-size:.85rem}
.status{display:inline-block;border-radius:999px;padding:0 8px;font-size:.75rem;font-weight:600;color:#fff}
.status.cached{background:var(--cached)}.status.built{background:var(--built)}.status.failed{background:var(--failed)}.status.base{background:var(--muted)}
.gantt{position:relative}
.g-row{display:grid;grid-template-columns:minmax(0,14rem) minmax(0,1fr);gap:10px;align-items:center;min-height:24px}
.g-label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;font-size:.85rem}
.g-track{position:relative;height:20px;background:var(--track);border-radius:4px}
.g-bar{position:absolute;top:2px;bottom:2px;min-width:3px;border-radius:3px;display:flex;overflow:hidden}
.g-bar.cached{background:var(--cached)}.g-bar.built{background:var(--built)}.g-bar.failed{background:var(--failed)}.g-bar.base{background:var(--muted)}
.g-piece{display:block;height:100%}
.part-context{background:#8e6bd8}.part-cacheLookup{background:#5b8def}.part-run{background:#3867d6}.part-diff{background:#2aa198}.part-compression{background:#e8a33d}.part-export{background:#c0579b}
.g-head{font-size:.78rem;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;margin:8px 0 2px}
.g-axis{display:flex;justify-content:space-between;color:var(--muted);font-size:.75rem;margin-left:calc(min(14rem,40%) + 10px)}
footer{color:var(--muted);font-size:.8rem;text-align:center;padding:10px}
@media (max-width:600px){body{font-size:14px}
.bar-row{grid-template-columns:minmax(0,1fr) 4.8rem;grid-template-areas:"label value" "bar bar";gap:2px 8px;padding:5px 0}
.bar-label{grid-area:label}.bar-value{grid-area:value}svg.bar{grid-area:bar}
.g-row{grid-template-columns:minmax(0,1fr);gap:2px}.g-axis{margin-left:0}
section{padding:12px}th,td{padding:5px 6px}}
`;
