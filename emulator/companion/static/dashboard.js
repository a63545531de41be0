// The dashboard's live parts: decisions and the outbox polled from the JSON endpoints, and the token box.
// Every value comes from requests and tokens, so it is only ever set as text (never as HTML).
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    for (const child of children) node.append(child instanceof Node ? child : String(child ?? ""));
    return node;
  };
  const when = (epoch) => new Date(epoch * 1000).toISOString().replace(".000Z", "Z");
  const shown = (value) => (typeof value === "string" ? value : JSON.stringify(value));

  function claimsTable(claims, mismatch) {
    const rows = Object.entries(claims).map(([name, value]) => {
      const bad = mismatch && mismatch.claim === name;
      const cell = el("td", {}, shown(value));
      if (bad) cell.append(el("span", {class: "expected"}, `  ≠ expected ${shown(mismatch.expected)}`));
      return el("tr", bad ? {class: "mismatch", "data-claim": name} : {"data-claim": name}, el("td", {}, name), cell);
    });
    return el("div", {class: "scroll"}, el("table", {class: "claims"},
      el("caption", {}, "Token claims (decoded, not verified)"),
      el("thead", {}, el("tr", {}, el("th", {scope: "col"}, "Claim"), el("th", {scope: "col"}, "Value"))),
      el("tbody", {}, ...rows)));
  }

  function decisionItem(d) {
    const item = el("li", {class: "card decision", "data-id": d.id});
    const client = d.claims && (d.claims.client_id ?? d.claims.aud);
    const user = d.claims && (d.claims["cognito:username"] ?? d.claims.username);
    item.append(el("div", {class: "meta"}, `${when(d.at)} · ${d.component}` +
                                           (d.request_id ? ` · request ${d.request_id}` : "") +
                                           (client ? ` · client ${shown(client)}` : "") +
                                           (user ? ` · user ${shown(user)}` : "")));
    item.append(el("div", {}, el("span", {class: "error"}, d.error)));
    item.append(el("p", {class: "reason"}, d.reason));
    if (d.claims) item.append(claimsTable(d.claims, d.mismatch));
    if (d.details) item.append(el("details", {}, el("summary", {}, "Trigger event and answer"),
                                  el("pre", {}, JSON.stringify(d.details, null, 2))));
    return item;
  }

  let lastId = 0;
  async function pollDecisions() {
    try {
      const answer = await fetch(`/_emulator/decisions?limit=100&after=${lastId}`).then((r) => r.json());
      const fresh = answer.decisions.filter((d) => d.component !== "cognito port" || !/favicon/.test(d.reason));
      const list = $("decisions");
      for (const d of fresh.slice().reverse()) list.prepend(decisionItem(d));
      if (answer.decisions.length) lastId = Math.max(lastId, ...answer.decisions.map((d) => d.id));
      while (list.children.length > 200) list.lastElementChild.remove();
      $("decisions-status").textContent = list.children.length ? `${list.children.length} shown` :
        "No refusals yet.";
    } catch (error) {
      $("decisions-status").textContent = `Cannot reach the emulator (${error}); retrying.`;
    }
  }

  async function pollOutbox() {
    try {
      const {messages} = await fetch("/_emulator/outbox").then((r) => r.json());
      const rows = messages.map((m) => el("tr", {}, el("td", {}, when(m.sent_at)), el("td", {}, m.username),
        el("td", {}, m.purpose), el("td", {}, el("code", {}, m.code)), el("td", {}, `${m.medium} ${m.destination ?? ""}`),
        el("td", {}, m.message ?? "")));
      const head = ["Sent", "User", "Purpose", "Code", "To", "Message"].map((h) => el("th", {scope: "col"}, h));
      const table = el("table", {}, el("caption", {}, `${messages.length} message(s)`),
                       el("thead", {}, el("tr", {}, ...head)), el("tbody", {}, ...rows));
      $("outbox").replaceChildren(el("div", {class: "scroll"}, table));
    } catch (error) { /* the decisions poll reports an unreachable emulator */ }
  }

  $("token-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const [api, route] = ($("route-select").value || "|").split("|");
    const result = $("token-result");
    const answer = await fetch("/_emulator/tokens/explain", {method: "POST", headers: {"content-type": "application/json"},
      body: JSON.stringify({token: $("token-input").value, api, route})}).then((r) => r.json());
    const box = el("div", {class: "card"});
    if (answer.report && !answer.report.ok) box.append(el("p", {class: "verdict-deny"}, `Not a JWT: ${answer.report.problem}`));
    if (answer.report && answer.report.ok) {
      const r = answer.report;
      box.append(el("p", {}, `Pool: ${r.pool ?? "none of the local pools"} · key: ${r.key ?? "unknown"} · ` +
                             `signature: ${r.signature} · ${r.time} · valid now: ${r.valid_now ? "yes" : "no"}`));
    }
    if (answer.verdict) {
      const v = answer.verdict;
      box.append(el("p", {class: v.decision === "allow" ? "verdict-allow" : "verdict-deny"},
                    `${v.decision.toUpperCase()}${v.status ? " " + v.status : ""}: ${v.route} (${v.authorizer ?? "no authorizer"})`));
      box.append(el("p", {class: "reason"}, v.reason));
    }
    if (answer.message) box.append(el("p", {class: "verdict-deny"}, answer.message));
    if (answer.report && answer.report.ok) box.append(claimsTable(answer.report.claims, answer.verdict?.mismatch));
    result.replaceChildren(box);
  });

  document.querySelectorAll("input[data-filter]").forEach((input) => input.addEventListener("input", () => {
    const needle = input.value.toLowerCase();
    document.querySelectorAll(`#${CSS.escape(input.dataset.filter)} tbody tr`).forEach((row) => {
      row.hidden = needle !== "" && !row.textContent.toLowerCase().includes(needle);
    });
  }));

  pollDecisions(); pollOutbox();
  setInterval(pollDecisions, 1000); setInterval(pollOutbox, 2000);
})();
