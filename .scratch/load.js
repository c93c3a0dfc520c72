const ac = require("../node_modules/autocannon");
const fs = require("fs");
const text = fs.readFileSync(__dirname + "/../schema/operations/public-metrics.graphql", "utf8");
const query = text.slice(text.indexOf("query TrustMetrics("), text.indexOf("query TrustMetricsSeries"));
let i = 0;
ac({ url: "http://127.0.0.1:4555/graphql", connections: 10, duration: 12, method: "POST",
  headers: { "content-type": "application/json" },
  requests: [{ setupRequest: (r) => ({ ...r, body: JSON.stringify({ query, variables: { scope: "MVD", from: "2025-01-01", to: "2026-01-01", unused: i++ } }) }) }],
}, (err, res) => { console.log(err, res.requests.average, res.non2xx, res.errors); });
