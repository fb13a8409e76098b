/*
 * Stock import with a progress bar (progressive enhancement: without this script the form
 * posts normally and the page shows the report).
 *
 * 1. The browser makes a random import id and sends the form with XMLHttpRequest;
 *    upload progress events drive the <progress> element.
 * 2. While the server imports, the page polls /merchant/products/:id/stock/imports/<id>
 *    (JSON: state, lines, bytes, totalBytes) and shows the lines processed.
 * 3. When the import is done the page opens ?import=<id>, which shows the report.
 */
;(function () {
  'use strict'
  var form = document.getElementById('stock-import')
  if (!form || !window.XMLHttpRequest || !window.FormData || !window.crypto) return

  var box = form.querySelector('.import-progress')
  var bar = box.querySelector('progress')
  var label = box.querySelector('label')
  var status = box.querySelector('p')
  var errorBox = form.querySelector('.import-error')
  var button = form.querySelector('button[type="submit"]')
  var busy = false

  function newImportId() {
    var bytes = new Uint8Array(16)
    window.crypto.getRandomValues(bytes)
    var hex = ''
    for (var i = 0; i < bytes.length; i++) hex += (bytes[i] + 256).toString(16).slice(1)
    return hex
  }

  function showError(message) {
    busy = false
    button.disabled = false
    box.hidden = true
    errorBox.textContent = message || label.getAttribute('data-failed')
    errorBox.hidden = false
  }

  function done(url) {
    if (url) window.location.assign(url)
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault()
    if (busy) return
    busy = true
    button.disabled = true
    errorBox.hidden = true
    var importId = newImportId()
    form.querySelector('input[name="import_id"]').value = importId
    var progressUrl = form.getAttribute('data-progress-url') + importId
    var finished = false
    var timer = null

    box.hidden = false
    bar.value = 0
    label.textContent = label.getAttribute('data-upload')
    status.textContent = ''

    function poll() {
      if (finished) return
      var request = new XMLHttpRequest()
      request.open('GET', progressUrl)
      request.setRequestHeader('Accept', 'application/json')
      request.onload = function () {
        if (finished) return
        if (request.status === 200) {
          var data = JSON.parse(request.responseText)
          if (data.totalBytes > 0) bar.value = Math.min(100, (100 * data.bytes) / data.totalBytes)
          status.textContent = label.getAttribute('data-lines').replace('{lines}', String(data.lines))
          if (data.state === 'done') {
            finished = true
            return done(data.redirect)
          }
          if (data.state === 'failed') {
            finished = true
            return showError(data.message)
          }
        }
        timer = window.setTimeout(poll, 1000)
      }
      request.onerror = function () {
        timer = window.setTimeout(poll, 2000)
      }
      request.send()
    }

    var xhr = new XMLHttpRequest()
    xhr.open('POST', form.getAttribute('action'))
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) bar.value = (100 * e.loaded) / e.total
    }
    xhr.upload.onload = function () {
      label.textContent = label.getAttribute('data-processing')
      bar.value = 0
      timer = window.setTimeout(poll, 500)
    }
    xhr.onload = function () {
      finished = true
      if (timer) window.clearTimeout(timer)
      var data = null
      try {
        data = JSON.parse(xhr.responseText)
      } catch (e) {
        data = null
      }
      if (xhr.status === 200 && data && data.redirect) return done(data.redirect)
      showError(data && data.message)
    }
    xhr.onerror = function () {
      finished = true
      if (timer) window.clearTimeout(timer)
      showError(null)
    }
    xhr.send(new FormData(form))
  })
})()
