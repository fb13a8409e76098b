// "Copy" buttons: <button data-copy="<element id>" data-copied="<label after copying>">
// copies that element's text (trimmed). Used next to card secrets on the order page and
// next to a hidden product's link in the dashboard. A static file, so pages need no inline
// script (Content-Security-Policy: script-src 'self').
;(function () {
  function fallbackCopy(text) {
    var area = document.createElement('textarea')
    area.value = text
    area.setAttribute('readonly', '')
    area.className = 'copy-buffer'
    document.body.appendChild(area)
    area.select()
    try {
      document.execCommand('copy')
    } finally {
      document.body.removeChild(area)
    }
    return Promise.resolve()
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return fallbackCopy(text)
      })
    }
    return fallbackCopy(text)
  }

  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    var label = button.textContent
    button.addEventListener('click', function () {
      var source = document.getElementById(button.getAttribute('data-copy'))
      if (!source) return
      copy(source.textContent.trim()).then(function () {
        button.textContent = button.getAttribute('data-copied') || label
        button.classList.add('copied')
        setTimeout(function () {
          button.textContent = label
          button.classList.remove('copied')
        }, 2000)
      })
    })
  })
})()
