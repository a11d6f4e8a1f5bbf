/*
 * The Professional Consultation Line web chat.
 *
 * Plain JavaScript, no build step. It posts each message to POST /chat/api/messages (the
 * conversation is kept by an HttpOnly cookie the server sets) and shows the replies in the
 * page's live region. Each message carries a random id, and "Try again" resends a message
 * with the same id: if the first try did reach the assistant and only its reply was lost, the
 * server gives that reply again rather than taking the message as the next answer. Text from either side is only ever inserted with textContent, never
 * as HTML. Buttons are clones of a <template> the server renders with GOV.UK Frontend's
 * button macro.
 */
(function () {
  "use strict";

  var ENDPOINT = "/chat/api/messages";
  var TIMEOUT_MS = 30000;
  var URL_PATTERN = /https:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g;

  var root = document.querySelector("[data-pcl-chat]");
  if (!root || !window.fetch || !window.AbortController) {
    return;
  }

  var log = root.querySelector("#chat-log");
  var form = root.querySelector("#chat-form");
  var box = root.querySelector("#chat-message");
  var status = root.querySelector("#chat-status");
  var retry = root.querySelector("#chat-retry");
  var retryButton = root.querySelector("#chat-retry-button");
  var endButton = root.querySelector("#chat-end");
  var choiceTemplate = root.querySelector("#chat-choice-template");
  var summary = root.querySelector("#chat-summary");
  var printButton = root.querySelector("#chat-print");
  var downloadButton = root.querySelector("#chat-download");
  var printArea = root.querySelector("#chat-print-summary");
  var REFERENCE_PATTERN = /PCL-\d{4}-\d{6}/;
  var CLOSING_QUESTION = "was this advice helpful?";

  // The opening prompt, to put back when a conversation ends.
  var opening = Array.prototype.map.call(log.children, function (node) {
    return node.cloneNode(true);
  });

  var busy = false;
  var unsent = null; // {text, shown, typed, id} of a message the network failed to deliver
  var generation = 0; // goes up when a conversation ends, so late replies are dropped

  function newMessageId() {
    // 8 to 64 of [A-Za-z0-9_-], as the server checks; null (no id) only without Web Crypto.
    var crypto = window.crypto;
    if (crypto && typeof crypto.randomUUID === "function") {
      return crypto.randomUUID();
    }
    if (!crypto || typeof crypto.getRandomValues !== "function") {
      return null;
    }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b < 16 ? "0" : "") + b.toString(16);
      })
      .join("");
  }

  function setStatus(text) {
    status.textContent = text;
  }

  function appendWithLinks(parent, text) {
    // Web addresses in the assistant's answers (the Online Referral Form) become links that
    // open in a new tab, so the conversation is not lost.
    var last = 0;
    text.replace(URL_PATTERN, function (url, offset) {
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = document.createElement("a");
      link.className = "govuk-link";
      link.href = url;
      link.target = "_blank";
      link.rel = "noreferrer noopener";
      link.textContent = url + " (opens in new tab)";
      parent.appendChild(link);
      last = offset + url.length;
      return url;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function addMessage(who, text) {
    var item = document.createElement("div");
    item.className = "pcl-message pcl-message--" + who;
    var speaker = document.createElement("span");
    speaker.className = "pcl-message__speaker";
    speaker.textContent = who === "user" ? "You" : "Assistant";
    var body = document.createElement("p");
    body.className = "pcl-message__text";
    if (who === "assistant") {
      appendWithLinks(body, text);
    } else {
      body.textContent = text;
    }
    item.appendChild(speaker);
    item.appendChild(body);
    log.appendChild(item);
    return item;
  }

  function addChoices(buttons) {
    var group = document.createElement("div");
    group.className = "pcl-choices";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Answers you can choose");
    buttons.forEach(function (choice) {
      var button = choiceTemplate.content.firstElementChild.cloneNode(true);
      button.textContent = String(choice.title || "");
      button.setAttribute("data-payload", String(choice.payload || ""));
      group.appendChild(button);
    });
    log.appendChild(group);
  }

  function removeChoices() {
    // An answered question's buttons would send a stale answer: take them away. If one of
    // them had the focus, give it to the message box rather than losing it.
    var hadFocus = log.contains(document.activeElement) && document.activeElement !== log;
    Array.prototype.forEach.call(log.querySelectorAll(".pcl-choices"), function (group) {
      group.parentNode.removeChild(group);
    });
    if (hadFocus) {
      box.focus();
    }
  }

  function showReplies(messages) {
    messages.forEach(function (message) {
      if (message && message.text) {
        addMessage("assistant", String(message.text));
        if (String(message.text).indexOf(CLOSING_QUESTION) !== -1) {
          summary.hidden = false; // the advice has been given: offer the record
        }
      }
      if (message && Array.isArray(message.buttons) && message.buttons.length) {
        addChoices(message.buttons);
      }
    });
    form.scrollIntoView({ block: "nearest" });
  }

  function post(text, id) {
    var message = { text: text };
    if (id) {
      message.message_id = id;
    }
    var controller = new AbortController();
    var timer = window.setTimeout(function () {
      controller.abort();
    }, TIMEOUT_MS);
    return fetch(ENDPOINT, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(message),
      signal: controller.signal
    })
      .then(function (response) {
        // A reply from the API, even an error (422, 503), carries messages to show; anything
        // else (no answer, a proxy's error page) is a failure to deliver.
        return response.json();
      })
      .then(function (data) {
        if (!data || !Array.isArray(data.messages)) {
          throw new Error("unexpected reply");
        }
        return data.messages;
      })
      .finally(function () {
        window.clearTimeout(timer);
      });
  }

  function hideRetry() {
    retry.hidden = true;
    unsent = null;
  }

  function send(text, shown, typed, id) {
    if (busy) {
      return;
    }
    busy = true;
    id = id || newMessageId();
    hideRetry();
    removeChoices();
    var mine = addMessage("user", shown);
    var current = generation;
    setStatus("The assistant is typing…");
    post(text, id).then(
      function (messages) {
        if (current !== generation) {
          return;
        }
        busy = false;
        setStatus("");
        showReplies(messages);
      },
      function () {
        if (current !== generation) {
          return;
        }
        busy = false;
        log.removeChild(mine);
        if (typed && !box.value) {
          box.value = text; // keep what they typed
          box.dispatchEvent(new Event("input"));
        }
        unsent = { text: text, shown: shown, typed: typed, id: id };
        retry.hidden = false;
        setStatus("");
        retryButton.focus(); // its description, the error message, is read out with it
      }
    );
  }

  function sendTyped() {
    var text = box.value.trim();
    if (!text || busy) {
      return;
    }
    // The message the network failed to deliver, sent again unchanged, keeps its id; an
    // edited one is a new message.
    var id = unsent && unsent.typed && unsent.text === text ? unsent.id : null;
    box.value = "";
    box.dispatchEvent(new Event("input")); // updates GOV.UK Frontend's character count
    send(text, text, true, id);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    sendTyped();
  });

  box.addEventListener("keydown", function (event) {
    // Enter sends; Shift and Enter starts a new line. Not while an input method is composing.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendTyped();
    }
  });

  log.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-payload]");
    if (button && log.contains(button)) {
      send(button.getAttribute("data-payload"), button.textContent.trim(), false, null);
    }
  });

  retryButton.addEventListener("click", function () {
    var again = unsent;
    if (!again) {
      return;
    }
    if (again.typed) {
      box.focus();
      sendTyped();
    } else {
      send(again.text, again.shown, false, again.id);
    }
  });

  // --- The summary a professional keeps: built here from the conversation on the page --------

  function messagesShown() {
    return Array.prototype.map.call(log.querySelectorAll(".pcl-message"), function (node) {
      var text = node.querySelector(".pcl-message__text");
      return {
        who: node.classList.contains("pcl-message--user") ? "user" : "assistant",
        text: text ? text.textContent.replace(/ \(opens in new tab\)/g, "") : ""
      };
    });
  }

  function answerTo(shown, question) {
    for (var i = 0; i < shown.length - 1; i += 1) {
      if (shown[i].who === "assistant" && shown[i].text.indexOf(question) !== -1) {
        for (var j = i + 1; j < shown.length; j += 1) {
          if (shown[j].who === "user") {
            return shown[j].text;
          }
        }
      }
    }
    return null;
  }

  function summaryLines() {
    var shown = messagesShown();
    var now = new Date();
    var when;
    try {
      when = now.toLocaleString("en-GB", {
        timeZone: root.getAttribute("data-timezone") || undefined,
        dateStyle: "long",
        timeStyle: "short"
      });
    } catch (error) {
      when = now.toString();
    }
    var all = shown.map(function (m) { return m.text; }).join("\n");
    var reference = all.match(REFERENCE_PATTERN);
    var child = answerTo(shown, "What is the child's full name?");
    var lines = [
      root.getAttribute("data-council-name") + ", " + root.getAttribute("data-service-name"),
      "Summary of a consultation (the assistant's advice; the decision is the IRT's)",
      "",
      "Date and time: " + when
    ];
    if (reference) {
      lines.push("Named child: " + (child || "(name as given)"));
      lines.push("Contact reference: " + reference[0] + " (quote it if you contact the IRT)");
    } else {
      lines.push("Scenario: not recorded; nothing you said is kept after the conversation ends");
    }
    lines.push("");
    // The advice: from the suggested level (or the route given) to the closing question.
    var advice = [];
    var started = false;
    shown.forEach(function (m) {
      if (m.who !== "assistant") {
        return;
      }
      if (m.text.indexOf("Suggested level of need") === 0) {
        started = true;
      }
      if (started && m.text.indexOf(CLOSING_QUESTION) === -1) {
        advice.push(m.text);
      }
    });
    if (!advice.length) {
      // A route rather than a level (a county child, an open case): the assistant's last words.
      advice = shown
        .filter(function (m) { return m.who === "assistant"; })
        .slice(-4)
        .map(function (m) { return m.text; })
        .filter(function (text) { return text.indexOf(CLOSING_QUESTION) === -1; });
    }
    return lines.concat(advice);
  }

  printButton.addEventListener("click", function () {
    while (printArea.firstChild) {
      printArea.removeChild(printArea.firstChild);
    }
    summaryLines().forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      printArea.appendChild(p);
    });
    window.print();
  });

  downloadButton.addEventListener("click", function () {
    var text = summaryLines().join("\r\n") + "\r\n";
    var blob = new Blob([text], { type: "text/plain;charset=utf-8" });
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = "consultation-summary-" + new Date().toISOString().slice(0, 10) + ".txt";
    document.body.appendChild(link);
    link.click();
    document.body.removeChild(link);
    window.setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 1000);
    setStatus("The summary has been downloaded.");
  });

  endButton.addEventListener("click", function () {
    summary.hidden = true; // the record goes with the conversation
    while (printArea.firstChild) {
      printArea.removeChild(printArea.firstChild);
    }
    // Ends the conversation on the server ("stop" forgets it), then clears this page, keeping
    // the goodbye with its 999 reminder.
    hideRetry();
    generation += 1;
    setStatus("Ending the conversation…");
    var finish = function (messages) {
      busy = false;
      while (log.firstChild) {
        log.removeChild(log.firstChild);
      }
      box.value = "";
      box.dispatchEvent(new Event("input"));
      showReplies(messages);
      opening.forEach(function (node) {
        log.appendChild(node.cloneNode(true));
      });
      setStatus("Conversation ended. Your messages have been cleared from this page.");
    };
    busy = true;
    post("stop", newMessageId()).then(finish, function () {
      finish([]);
    });
  });
})();
