// Teaching widget: the table of terms that add up to the selected cell of φ. For a
// pair (i ≠ j): one row per S ⊆ N∖{i,j} with its weight, the four coalition values of
// ∇ij(S) and weight × ∇. For a diagonal cell: player i's Shapley terms, then the main
// effect φii = φi − Σj≠i φij. Hovering a row lights up the coalitions it uses.

import { html, clear } from "./dom.js";
import { shapleyTerms, pairTerms, mainEffect } from "./game.js";
import { fmt } from "./scales.js";

/** A coalition value as it enters a sum: "+ 0.5", "− 0.5", "− 0" (sign ±1, value v). */
function signed(sign, v) {
  const t = sign * v;
  if (t === 0) return `${sign < 0 ? "−" : "+"} 0`;
  return t < 0 ? `− ${fmt(-t)}` : `+ ${fmt(t)}`;
}

/** @param {HTMLElement} parent @param {any} ctx */
export function createGameTerms(parent, ctx) {
  const { m, names, store } = ctx;
  const box = html("div", { class: "isw-panel isw-game-terms", role: "region", "aria-label": "terms of the selected cell" }, parent);
  const title = html("div", { class: "isw-title" }, box);
  const formula = html("div", { class: "isw-formula" }, box);
  const body = html("div", {}, box);
  let rows = [];

  function table(head) {
    const t = html("table", { class: "isw-terms" }, body);
    const tr = html("tr", {}, html("thead", {}, t));
    for (const h of head) html("th", { text: h, scope: "col" }, tr);
    return { t, tbody: html("tbody", {}, t) };
  }

  function addRow(tbody, r, cells) {
    const tr = html("tr", { "data-mask": r.S, tabindex: 0 }, tbody);
    html("th", { text: ctx.label(r.S), scope: "row" }, tr);
    html("td", { text: r.weight.text, title: `${fmt(r.weight.value)} (|S| = ${r.size})` }, tr);
    r.coalitions.forEach((s, q) => {
      const v = store.get().values[s];
      html("td", { text: q === 0 ? fmt(v) : signed(r.signs[q], v), title: `v(${ctx.label(s)}) = ${fmt(v)}`, "data-mask": s }, tr);
    });
    for (const c of cells) html("td", c, tr);
    const enter = () => store.set({ hover: { coalitions: r.coalitions, signs: r.signs, from: "table", S: r.S } });
    const leave = () => store.set({ hover: null });
    tr.addEventListener("mouseenter", enter);
    tr.addEventListener("mouseleave", leave);
    tr.addEventListener("focus", enter);
    tr.addEventListener("blur", leave);
    rows.push({ tr, r });
  }

  function footer(t, label, value, cols) {
    const tr = html("tr", { class: "isw-terms-sum" }, html("tfoot", {}, t));
    html("th", { text: label, colspan: cols - 1, scope: "row" }, tr);
    html("td", { text: fmt(value), "data-value": String(value), class: "isw-sum" }, tr);
  }

  function drawPair(i, j) {
    const { values } = store.get();
    const [a, b] = [names[i], names[j]];
    title.textContent = `Terms of φ[${a}, ${b}]: the interaction of ${a} and ${b}`;
    formula.textContent = `φ[${a}, ${b}] = Σ over S ⊆ N∖{${a}, ${b}} of |S|!(M−|S|−2)! / (2(M−1)!) × ∇(S), with ∇(S) = v(S∪{${a}, ${b}}) − v(S∪{${a}}) − v(S∪{${b}}) + v(S) and M = ${m}.`;
    const terms = pairTerms(values, i, j);
    const head = ["S", "weight", `v(S∪{${a}, ${b}})`, `− v(S∪{${a}})`, `− v(S∪{${b}})`, "+ v(S)", "∇(S)", "weight × ∇"];
    const { t, tbody } = table(head);
    let total = 0;
    for (const r of terms) {
      total += r.contribution;
      addRow(tbody, r, [{ text: fmt(r.nabla), class: "isw-nabla" }, { text: fmt(r.contribution), "data-value": String(r.contribution) }]);
    }
    footer(t, `Σ = φ[${a}, ${b}] (half the Shapley interaction index; both cells [${a}, ${b}] and [${b}, ${a}] show it)`, total, head.length);
    html("div", { class: "isw-note", text: `Shapley interaction index SII(${a}, ${b}) = 2 φ[${a}, ${b}] = ${fmt(2 * total)}. ∇(S) > 0: ${a} and ${b} are worth more together (synergy); < 0: they overlap (redundancy).` }, body);
  }

  function drawDiagonal(i) {
    const { values } = store.get();
    const a = names[i];
    title.textContent = `Terms of φ[${a}, ${a}]: the main effect of ${a}`;
    formula.textContent = `Shapley value φ[${a}] = Σ over S ⊆ N∖{${a}} of |S|!(M−|S|−1)! / M! × (v(S∪{${a}}) − v(S)), M = ${m}; then the main effect removes ${a}'s interactions.`;
    const terms = shapleyTerms(values, i);
    const head = ["S", "weight", `v(S∪{${a}})`, "− v(S)", "marginal", "weight × marginal"];
    const { t, tbody } = table(head);
    let total = 0;
    for (const r of terms) {
      total += r.contribution;
      addRow(tbody, r, [{ text: fmt(r.marginal), class: "isw-nabla" }, { text: fmt(r.contribution), "data-value": String(r.contribution) }]);
    }
    footer(t, `Σ = φ[${a}], the Shapley value of ${a}`, total, head.length);
    const main = mainEffect(values, i);
    const line = html("div", { class: "isw-main-effect" }, body);
    line.append(`Main effect φ[${a}, ${a}] = φ[${a}] − Σ j≠${a} φ[${a}, j] = ${fmt(main.shapley)} − (`);
    main.pairs.forEach((p, q) => {
      if (q) line.append(" + ");
      const link = html("button", { class: "isw-linklike", text: `φ[${a}, ${names[p.j]}] = ${fmt(p.value)}`, title: `show the terms of φ[${a}, ${names[p.j]}]` }, line);
      link.addEventListener("click", () => store.set({ pair: [Math.min(i, p.j), Math.max(i, p.j)] }));
    });
    line.append(") = ");
    html("b", { text: fmt(main.value), "data-value": String(main.value), class: "isw-main-value" }, line);
  }

  function draw() {
    clear(body);
    rows = [];
    const p = store.get().pair;
    if (p.length !== 2) {
      title.textContent = "Terms";
      formula.textContent = "";
      html("div", { class: "isw-note", text: "Click a cell of the matrix (or a Shapley bar) to see the terms that add up to it." }, body);
      return;
    }
    if (p[0] === p[1]) drawDiagonal(p[0]);
    else drawPair(p[0], p[1]);
    drawHover();
  }

  function drawHover() {
    const h = store.get().hover;
    for (const { tr, r } of rows) {
      const on = !!h && (h.from === "table" ? h.S === r.S : r.coalitions.includes(h.coalitions[0]));
      tr.classList.toggle("isw-hl", on);
      for (const td of tr.querySelectorAll("td[data-mask]")) {
        td.classList.toggle("isw-hl-cell", !!h && h.from === "coalition" && Number(td.getAttribute("data-mask")) === h.coalitions[0]);
      }
    }
  }

  draw();
  const unsub = store.subscribe((s, changed) => {
    if (changed.includes("values") || changed.includes("pair")) draw();
    else if (changed.includes("hover")) drawHover();
  });
  return { destroy: () => { unsub(); box.remove(); } };
}
