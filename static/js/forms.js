// A form without an action posts to the page's address, fragment and all. After the skip
// link that address ends in #main-content, which the browser keeps through the redirect
// (or on the re-rendered page with errors): the next page then opens scrolled to its main
// content and the fragment takes the focus from its error summary or success banner, so
// neither is announced (WCAG 2.4.3; govuk-frontend issue 4465). Post to the address
// without the fragment instead.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && !form.hasAttribute("action") && window.location.hash) {
    form.setAttribute("action", window.location.pathname + window.location.search);
  }
}, true);
