// What the kiosk draws: the pact as the signer reads it (the template version's text, exactly,
// with the signer's details filled in, masked NIP/NIK only), search results, and the officer's
// list of refused or unsent signatures. Text is set with textContent, never as HTML.

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function renderPact(article, event, entry, T) {
  const t = event.template;
  const rows = [
    [T.f_name, entry.name],
    [T.f_number, entry.masked],
    [T.f_grade, entry.grade || "-"],
    [T.f_position, entry.position],
    [T.f_agency, `${entry.unit}`],
  ];
  const table = el("table", "kiosk-pact-identity");
  for (const [label, value] of rows) {
    const tr = el("tr");
    tr.append(el("th", "", label), el("td", "", `: ${value}`));
    table.append(tr);
  }
  const points = el("ol", "kiosk-pact-points");
  for (const p of t.points) points.append(el("li", "", p));
  const today = new Date().toLocaleDateString("id-ID", { day: "numeric", month: "long", year: "numeric" });
  article.replaceChildren(
    el("h1", "kiosk-pact-title", t.title),
    el("p", "kiosk-pact-election", t.election),
    el("p", "", t.opening),
    table,
    el("p", "", T.declare),
    points,
    el("p", "", t.closing),
    ...(t.sanctions ? [el("p", "", t.sanctions)] : []),
    el("p", "kiosk-pact-place", `${event.city}, ${today}`),
  );
  article.querySelector("h1").id = "pact-title";
}

export function resultItem(entry, onChoose) {
  const li = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "kiosk-result";
  button.dataset.employee = String(entry.id);
  button.innerHTML = "<span class='kiosk-result-name'></span><span class='kiosk-result-meta'></span>";
  button.children[0].textContent = entry.name;
  button.children[1].textContent = [entry.position, entry.unit, entry.masked].filter(Boolean).join(" · ");
  button.addEventListener("click", () => onChoose(entry.id));
  li.append(button);
  return li;
}

export function recoveryItem(item, T, onDismiss) {
  const li = document.createElement("li");
  li.className = "list-group-item d-flex justify-content-between align-items-start gap-2";
  li.dataset.submission = item.submission_id;
  const text = document.createElement("div");
  const when = new Date(item.client_signed_at).toLocaleString("id-ID");
  text.innerHTML = "<strong></strong><div class='small'></div><div class='small text-danger'></div>";
  text.children[0].textContent = item.employee_name;
  text.children[1].textContent = `${when} · ${item.submission_id.slice(0, 8)}`;
  text.children[2].textContent = item.error ? item.error.message : T.unsent;
  li.append(text);
  if (item.state === "refused") {
    const dismiss = document.createElement("button");
    dismiss.className = "btn btn-sm btn-outline-secondary";
    dismiss.textContent = T.dismiss;
    dismiss.addEventListener("click", async () => {
      if (!window.confirm(T.dismiss_confirm)) return;
      await onDismiss();
    });
    li.append(dismiss);
  }
  return li;
}
