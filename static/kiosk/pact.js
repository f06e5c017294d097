// What the kiosk draws: the pact as the signer reads it (the server's rendering of the same
// partial the PDF seals, with the signer's details filled in, masked NIP/NIK only), search results, and the officer's
// list of refused or unsent signatures. Text is set with textContent, never as HTML.

const MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
  "September", "Oktober", "November", "Desember"];

// Today's calendar day in the agency's own zone, printed as the sealed PDF prints it.
function placeAndDate(event, now = new Date()) {
  let parts;
  try {
    parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: event.timezone || undefined, year: "numeric", month: "numeric", day: "numeric",
    }).formatToParts(now);
  } catch {
    parts = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "numeric", day: "numeric" })
      .formatToParts(now);
  }
  const part = (type) => Number(parts.find((p) => p.type === type).value);
  return `${event.city}, ${part("day")} ${MONTHS[part("month") - 1]} ${part("year")}`;
}

// The server renders templates/pact/_body.html once per event, the same partial the PDF seals,
// with the signer's details as empty [data-pact-field] spans. That markup is the server's own
// (template text autoescaped there); the person's details go in here as text only.
export function renderPact(article, event, entry) {
  const doc = new DOMParser().parseFromString(event.pact_html || "", "text/html");
  const values = {
    name: entry.name,
    identity_label: entry.identity_label || "NIP",
    identity_value: entry.masked || "\u2014",
    grade: entry.grade || "\u2014",
    position: entry.position || "\u2014",
    agency: entry.agency || entry.unit,
    place_and_date: placeAndDate(event),
  };
  for (const span of doc.querySelectorAll("[data-pact-field]")) {
    span.textContent = values[span.dataset.pactField] ?? "";
  }
  article.replaceChildren(...Array.from(doc.body.childNodes, (node) => document.adoptNode(node)));
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
