const $ = (id) => document.getElementById(id);

async function render() {
  const s = await chrome.runtime.sendMessage({ type: "status" });
  $("state").textContent = s.connected
    ? `Connected to ${s.name}; attached to ${s.attached.length} tab(s).`
    : "Not connected to a worksite.";
  const list = $("pairings");
  list.replaceChildren();
  for (const p of s.pairings) {
    const li = document.createElement("li");
    li.textContent = `${p.name} (${p.worksite}) `;
    const forget = document.createElement("button");
    forget.textContent = "Forget";
    forget.dataset.worksite = p.worksite;
    forget.addEventListener("click", async () => {
      await chrome.runtime.sendMessage({ type: "forget", worksite: p.worksite });
      await render();
    });
    li.append(forget);
    list.append(li);
  }
}

$("stop").addEventListener("click", async () => {
  await chrome.runtime.sendMessage({ type: "stop" });
  await render();
});

void render();
