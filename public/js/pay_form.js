// Payment page with a form to the gateway: submit it once on load (the button stays for
// browsers without scripts). A static file: CSP script-src 'self', no inline script.
;(function () {
  var form = document.querySelector('form[data-auto-submit="true"]')
  if (form) form.submit()
})()
