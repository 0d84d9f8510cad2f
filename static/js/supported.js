// GOV.UK Frontend's start-up snippet, from a file rather than inline so that the
// Content-Security-Policy allows no inline script: run at the start of <body>, before the
// page is drawn, it marks the page as having JavaScript and, where ES modules work, as
// supported by GOV.UK Frontend (whose components then initialise, and style themselves).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
