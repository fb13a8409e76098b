// Live payment status: an element with data-payment-status="<status URL>" and
// data-payment-initial="<order status>" polls the URL (JSON { status, final }) every few
// seconds; once the status differs it goes to data-payment-return (payment page) or reloads
// (order page). A static file, so pages need no inline script (CSP script-src 'self').
;(function () {
  var el = document.querySelector('[data-payment-status]')
  if (!el || !window.fetch) return
  var url = el.getAttribute('data-payment-status')
  var initial = el.getAttribute('data-payment-initial')
  var back = el.getAttribute('data-payment-return')
  var delay = 3000
  var stopped = false

  function next() {
    if (!stopped) setTimeout(poll, delay)
  }

  function poll() {
    fetch(url, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
      credentials: 'same-origin',
    })
      .then(function (response) {
        if (response.status === 429) {
          delay = Math.min(delay * 2, 60000)
          return null
        }
        return response.ok ? response.json() : null
      })
      .then(function (data) {
        if (data && data.status && data.status !== initial) {
          stopped = true
          if (back) window.location.assign(back)
          else window.location.reload()
          return
        }
        next()
      })
      .catch(next)
  }

  next()
})()
