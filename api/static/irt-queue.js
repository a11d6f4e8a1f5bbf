// The IRT queue watches for new contacts without a reload. Every few seconds it asks
// GET /irt/api/queue-version (a number, nothing about any contact); when that changes it
// fetches this page again, swaps in the new queue and says what is new in the page's
// status region (role="status", so screen readers announce it).
//
// A file with the page's nonce, no inline script; the new rows come from the server's own
// autoescaped HTML, parsed with DOMParser (which runs no scripts) and moved into the page.
// The requests carry X-PCL-Background so that watching does not keep an idle session alive.
(function () {
  "use strict";

  var queue = document.getElementById("queue");
  var announcer = document.getElementById("queue-announcer");
  if (!queue || !announcer || !window.fetch || !window.DOMParser) {
    return;
  }
  var version = queue.getAttribute("data-version");
  var seconds = Number(queue.getAttribute("data-poll-seconds")) || 3;
  var headers = { "X-PCL-Background": "1" };
  var stopped = false;

  function references(root) {
    var cells = root.querySelectorAll("[data-reference]");
    var found = {};
    for (var i = 0; i < cells.length; i += 1) {
      found[cells[i].getAttribute("data-reference")] =
        cells[i].getAttribute("data-significant-harm") === "true";
    }
    return found;
  }

  function announce(before, after) {
    var added = Object.keys(after).filter(function (reference) {
      return !(reference in before);
    });
    if (added.length === 0) {
      return;
    }
    var flagged = added.filter(function (reference) {
      return after[reference];
    });
    var text =
      added.length === 1
        ? "New contact " + added[0] + (flagged.length ? ", flagged for significant harm." : ".")
        : added.length + " new contacts: " + added.join(", ") +
          (flagged.length ? ". Flagged for significant harm: " + flagged.join(", ") + "." : ".");
    announcer.textContent = text;
  }

  function signedOut() {
    stopped = true;
    announcer.textContent =
      "Your session has ended, so the queue is no longer updating. Reload the page to sign in again.";
  }

  function refresh() {
    return fetch(window.location.pathname + window.location.search, {
      credentials: "same-origin",
      headers: headers,
    }).then(function (response) {
      if (response.redirected || response.status === 401) {
        signedOut();
        return;
      }
      if (!response.ok) {
        return;
      }
      return response.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("queue");
        if (!fresh) {
          return;
        }
        var before = references(queue);
        var focused = document.activeElement;
        var focusedHref =
          focused && queue.contains(focused) ? focused.getAttribute("href") : null;
        var nodes = Array.prototype.map.call(fresh.childNodes, function (node) {
          return document.importNode(node, true);
        });
        queue.replaceChildren.apply(queue, nodes);
        version = fresh.getAttribute("data-version");
        queue.setAttribute("data-version", version);
        if (focusedHref) {
          // Keep the keyboard where it was: the same link in the new rows.
          var again = queue.querySelector('a[href="' + CSS.escape(focusedHref) + '"]');
          if (again) {
            again.focus();
          }
        }
        announce(before, references(queue));
      });
    });
  }

  function poll() {
    if (stopped) {
      return;
    }
    fetch("/irt/api/queue-version", { credentials: "same-origin", headers: headers })
      .then(function (response) {
        if (response.status === 401) {
          signedOut();
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then(function (body) {
        if (body && body.version && body.version !== version) {
          return refresh();
        }
      })
      .catch(function () {
        // A network blip: try again at the next tick.
      })
      .then(function () {
        if (!stopped) {
          window.setTimeout(poll, seconds * 1000);
        }
      });
  }

  window.setTimeout(poll, seconds * 1000);
})();
