// The staff pages' session timeout warning and the decision rationale's draft.
//
// The warning follows hmrc-frontend's timeout dialog: shortly before the session would end
// without activity (the server's rule: api.deps, bot.staff_auth), a modal dialog
// (role="dialog", aria-modal="true") takes the focus and keeps it (Tab and Shift+Tab go round
// its controls; the rest of the page is inert), and counts down. The countdown on screen
// changes every second but is hidden from screen readers; a polite live region says the time
// left when the minute changes, and every 20 seconds in the last minute. "Stay signed in"
// (or Escape) asks POST /irt/api/session/refresh, which counts as activity; "Sign out" is the
// page's own sign-out form. The time left comes from the server (GET /irt/api/session, sent
// with X-PCL-Background so that asking does not itself keep the session alive), so a session
// kept alive in another tab is not ended here. When it has ended, the browser goes to the
// sign-in page, which says why and comes back here afterwards.
//
// The draft: on a contact's page, what a manager types as a decision's rationale is kept in
// this tab's sessionStorage under the contact's reference, put back in the empty field when
// the page is opened again (after signing in again, say), and removed once the decision has
// been recorded or the manager signs out. It goes nowhere else: not to the server, not to
// other tabs.
//
// A file with the page's nonce, no inline script and no inline handlers.
(function () {
  "use strict";

  var SESSION_URL = "/irt/api/session";
  var REFRESH_URL = "/irt/api/session/refresh";
  var DRAFT_PREFIX = "pcl-draft-rationale:";

  // --- the draft ---------------------------------------------------------------------------

  function draftStore() {
    try {
      var store = window.sessionStorage;
      store.setItem("pcl-draft-test", "1");
      store.removeItem("pcl-draft-test");
      return store;
    } catch (error) {
      return null; // storage turned off: the form works as before, without drafts
    }
  }

  function keepDrafts() {
    var field = document.getElementById("decision-rationale");
    var form = field && field.form;
    var action = form ? form.getAttribute("action") || "" : "";
    var match = /^\/irt\/contacts\/([A-Za-z0-9-]+)\/decision$/.exec(action);
    var store = draftStore();
    if (!match || !store) {
      return;
    }
    var key = DRAFT_PREFIX + match[1];
    var recorded = new URLSearchParams(window.location.search).get("done") === "decision";
    if (recorded) {
      store.removeItem(key);
    } else {
      var draft = store.getItem(key);
      if (draft && !field.value) {
        field.value = draft;
        var note = document.createElement("p");
        note.className = "govuk-inset-text";
        note.id = "decision-draft-restored";
        note.textContent =
          "The rationale you had started before you were signed out has been put back. " +
          "Check it before you record the decision.";
        form.insertBefore(note, form.firstChild);
      }
    }
    field.addEventListener("input", function () {
      if (field.value) {
        store.setItem(key, field.value);
      } else {
        store.removeItem(key);
      }
    });
  }

  // Signing out on purpose takes the drafts with it: nothing of a child's stays in the tab.
  function forgetDraftsOnSignOut() {
    var store = draftStore();
    var forms = document.querySelectorAll("form[action='/irt/sign-out']");
    if (!store) {
      return;
    }
    for (var i = 0; i < forms.length; i += 1) {
      forms[i].addEventListener("submit", function () {
        for (var k = store.length - 1; k >= 0; k -= 1) {
          var name = store.key(k);
          if (name && name.indexOf(DRAFT_PREFIX) === 0) {
            store.removeItem(name);
          }
        }
      });
    }
  }

  keepDrafts();
  forgetDraftsOnSignOut();

  // --- the timeout warning -----------------------------------------------------------------

  var dialog = document.getElementById("timeout-dialog");
  var overlay = document.getElementById("timeout-overlay");
  if (!dialog || !overlay || !window.fetch) {
    return;
  }
  var idleSeconds = Number(dialog.getAttribute("data-idle-seconds"));
  var warningSeconds = Number(dialog.getAttribute("data-warning-seconds"));
  var csrfToken = dialog.getAttribute("data-csrf-token") || "";
  var countdown = document.getElementById("timeout-countdown");
  var announcement = document.getElementById("timeout-announcement");
  var stayButton = document.getElementById("timeout-stay");
  if (!(idleSeconds > 0) || !(warningSeconds > 0) || !countdown || !announcement || !stayButton) {
    return;
  }

  var timer = null;
  var ticker = null;
  var endsAt = 0;
  var lastAnnounced = "";
  var returnFocusTo = null;
  var inerted = [];

  function later(seconds, task) {
    window.clearTimeout(timer);
    timer = window.setTimeout(task, Math.max(0, seconds) * 1000);
  }

  function describe(seconds) {
    if (seconds >= 60) {
      var minutes = Math.ceil(seconds / 60);
      return minutes + (minutes === 1 ? " minute" : " minutes");
    }
    return seconds + (seconds === 1 ? " second" : " seconds");
  }

  // What a screen reader hears: the minutes as they change, then every 20 seconds.
  function spoken(seconds) {
    if (seconds > 60) {
      return describe(seconds);
    }
    return describe(Math.max(20, Math.ceil(seconds / 20) * 20));
  }

  function secondsLeft() {
    return Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
  }

  function render() {
    var left = secondsLeft();
    countdown.textContent = describe(left);
    var words = spoken(left);
    if (words !== lastAnnounced) {
      lastAnnounced = words;
      announcement.textContent = "For your security, we will sign you out in " + words + ".";
    }
  }

  function signedOut() {
    var here = window.location.pathname + window.location.search;
    window.location.assign("/irt/sign-in?timed_out=true&next=" + encodeURIComponent(here));
  }

  // Asks the server how long the session has left, without counting as activity.
  function ask(then) {
    window
      .fetch(SESSION_URL, {
        credentials: "same-origin",
        headers: { "X-PCL-Background": "1", Accept: "application/json" },
      })
      .then(function (response) {
        if (response.status === 401) {
          return null;
        }
        if (!response.ok) {
          throw new Error("session " + response.status);
        }
        return response.json();
      })
      .then(function (body) {
        then(body === null ? 0 : body.idle_seconds_left);
      })
      .catch(function () {
        then(-1); // no answer (the network): keep to the page's own count
      });
  }

  function trapFocus(event) {
    if (event.key === "Escape" || event.key === "Esc") {
      event.preventDefault();
      stay();
      return;
    }
    if (event.key !== "Tab") {
      return;
    }
    var controls = dialog.querySelectorAll("button, [href], input:not([type=hidden])");
    var first = controls[0];
    var last = controls[controls.length - 1];
    if (event.shiftKey && (document.activeElement === first || document.activeElement === dialog)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  function open(seconds) {
    endsAt = Date.now() + seconds * 1000;
    if (dialog.hidden) {
      returnFocusTo = document.activeElement;
      inerted = [];
      var siblings = document.body.children;
      for (var i = 0; i < siblings.length; i += 1) {
        var element = siblings[i];
        if (element !== dialog && element !== overlay && element.tagName !== "SCRIPT" && !element.inert) {
          element.inert = true;
          element.setAttribute("aria-hidden", "true");
          inerted.push(element);
        }
      }
      lastAnnounced = "";
      render();
      overlay.hidden = false;
      dialog.hidden = false;
      document.documentElement.classList.add("pcl-timeout-open");
      dialog.focus();
      document.addEventListener("keydown", trapFocus, true);
    }
    window.clearInterval(ticker);
    ticker = window.setInterval(render, 1000);
  }

  function close() {
    window.clearInterval(ticker);
    document.removeEventListener("keydown", trapFocus, true);
    dialog.hidden = true;
    overlay.hidden = true;
    document.documentElement.classList.remove("pcl-timeout-open");
    announcement.textContent = "";
    inerted.forEach(function (element) {
      element.inert = false;
      element.removeAttribute("aria-hidden");
    });
    inerted = [];
    if (returnFocusTo && typeof returnFocusTo.focus === "function") {
      returnFocusTo.focus();
    }
  }

  // Decides from the server's answer: warn, wait longer, or go to the sign-in page.
  function check() {
    ask(function (left) {
      if (left === -1) {
        left = dialog.hidden ? warningSeconds : secondsLeft();
        if (left <= 0) {
          signedOut();
          return;
        }
      }
      if (left <= 0) {
        signedOut();
      } else if (left > warningSeconds + 1) {
        if (!dialog.hidden) {
          close(); // kept alive elsewhere (another tab)
        }
        later(left - warningSeconds, check);
      } else {
        open(left);
        later(left + 0.5, check);
      }
    });
  }

  function stay() {
    stayButton.disabled = true;
    window
      .fetch(REFRESH_URL, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfToken, Accept: "application/json" },
      })
      .then(function (response) {
        stayButton.disabled = false;
        if (response.status === 401) {
          signedOut();
          return null;
        }
        if (!response.ok) {
          throw new Error("refresh " + response.status);
        }
        return response.json();
      })
      .then(function (body) {
        if (body === null) {
          return;
        }
        close();
        var left = body.idle_seconds_left || idleSeconds;
        later(left - warningSeconds, check);
      })
      .catch(function () {
        stayButton.disabled = false;
        announcement.textContent =
          "We could not reach the service to keep you signed in. Check your connection and try again.";
      });
  }

  stayButton.addEventListener("click", stay);
  // Opening the page counted as activity: the first check is due when the warning would be.
  later(idleSeconds - warningSeconds, check);
})();
