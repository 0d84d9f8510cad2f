// A job's progress page (templates/job.html, every kind of job): polls its JSON status and updates
// the counts; when the job ends, reloads the page for its result or its errors. Without
// JavaScript the page's refresh link does the same.
const box = document.getElementById("job");
if (box && box.dataset.finished !== "yes") {
  const url = box.dataset.statusUrl;
  const show = (id, value) => {
    const el = document.getElementById(id);
    if (el) el.textContent = String(value);
  };
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const status = await response.json();
        show("job-read", status.counts.read);
        show("job-checked", status.counts.checked);
        show("job-written", status.counts.written);
        if (status.finished) {
          window.location.assign(status.page);
          return;
        }
      }
    } catch (err) {
      // the network blinked: try again at the next tick
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
}
