const p = JSON.parse(require("fs").readFileSync(process.argv[2]));
const nodes = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = p.timeDeltas; let total = 0;
p.samples.forEach((id, i) => { self.set(id, (self.get(id) || 0) + (dt[i] || 0)); total += dt[i] || 0; });
const byFn = new Map(); const byFile = new Map();
for (const [id, t] of self) { const n = nodes.get(id); const cf = n.callFrame; const k = `${cf.functionName || "(anon)"} ${cf.url.split("/").slice(-3).join("/")}:${cf.lineNumber}`; byFn.set(k, (byFn.get(k) || 0) + t);
 const f = cf.url.includes("node_modules") ? cf.url.split("node_modules/")[1].split("/")[0] + (cf.url.includes("@")? "/"+cf.url.split("node_modules/")[1].split("/")[1]:"") : cf.url.includes("/dist/") ? "senim:" + cf.url.split("/dist/")[1] : (cf.url || cf.functionName); byFile.set(f, (byFile.get(f) || 0) + t); }
const top = (m, n) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${(100 * v / total).toFixed(1)}% ${k}`).join("\n");
console.log(top(byFile, 25)); console.log("---"); console.log(top(byFn, 35));
