// Start GOV.UK Frontend's components (skip link, character count, buttons). A file rather
// than the inline script GOV.UK's guide shows, so the Content-Security-Policy needs no
// 'unsafe-inline'.
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();
