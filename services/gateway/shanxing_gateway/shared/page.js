/* What the gateway's pages (the POS page, the volunteer's points page) share: DOM helpers and calls to
   this gateway's /api with a bearer token. Loaded before each page's own script; no framework. */
(function () {
  "use strict";

  var API = "/api/v1";

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; }
      else if (name === "className") { node.className = attrs[name]; }
      else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) { if (child) { node.appendChild(child); } });
    return node;
  }

  function showMessage(node, text) {
    node.textContent = text || "";
    node.hidden = !text;
  }

  function NetworkError(message) { this.message = message; }

  // The raw response of one call (with the bearer token when there is one).
  function send(token, method, path, body, extraHeaders) {
    var headers = { "Accept": "application/json" };
    if (token) { headers["Authorization"] = "Bearer " + token; }
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    Object.keys(extraHeaders || {}).forEach(function (name) { headers[name] = extraHeaders[name]; });
    return fetch(API + path, {
      method: method, headers: headers, cache: "no-store", credentials: "omit",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      // 502/503/504: the gateway could not get an answer; the outcome is unknown, like a lost network.
      if (response.status === 502 || response.status === 503 || response.status === 504) {
        throw new NetworkError("服务暂时不可用（" + response.status + "）");
      }
      return response;
    }, function () {
      throw new NetworkError("网络连接失败");
    });
  }

  // call(method, path, body, headers) → {status, ok, data (parsed JSON or null), headers};
  // token() gives the page's current token at each call.
  function caller(token) {
    return function (method, path, body, extraHeaders) {
      return send(token(), method, path, body, extraHeaders).then(function (response) {
        return response.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
          return { status: response.status, ok: response.ok, data: data, headers: response.headers };
        });
      });
    };
  }

  function throttled(answer) {
    var wait = answer.headers && answer.headers.get("Retry-After");
    return "操作过于频繁，请" + (wait ? " " + wait + " 秒后" : "稍后") + "再试";
  }

  // A 400's field errors in plain words; fieldNames maps a field (its first segment) to its label.
  function invalid(errors, fieldNames) {
    var names = Object.keys(errors || {}).map(function (f) { return fieldNames[f.split(".")[0]] || f; });
    return "输入有误" + (names.length ? "：" + names.join("、") : "") + "，请检查后重试";
  }

  // The sign-in form (#sign-in-button, #sign-in-message): posts `body` to `path` once every field is
  // filled, never with an old token; 200 → signedIn(data, body), 401 → `wrong`, else explain(answer).
  function signIn(options) {
    var message = $("sign-in-message"), button = $("sign-in-button"), body = options.body;
    if (Object.keys(body).some(function (name) { return !body[name]; })) {
      showMessage(message, options.missing);
      return;
    }
    button.disabled = true;
    showMessage(message, "");
    caller(function () { return null; })("POST", options.path, body).then(function (answer) {
      if (answer.status === 200) {
        options.signedIn(answer.data, body);
      } else {
        showMessage(message, answer.status === 401 ? options.wrong : options.explain(answer));
      }
    }, function (error) {
      showMessage(message, error.message + "，请检查网络后重试");
    }).then(function () { button.disabled = false; });
  }

  // then(guard) after a call once signed in: a 401 (token expired, account deactivated) goes back to
  // the sign-in form, and the rest of the chain sees {handled: true}.
  function guard(showSignIn) {
    return function (answer) {
      if (answer.status === 401) {
        showSignIn("登录已失效，请重新登录");
        throw { handled: true };
      }
      return answer;
    };
  }

  window.ShanxingPage = { $: $, el: el, showMessage: showMessage, send: send, caller: caller,
                          throttled: throttled, invalid: invalid, signIn: signIn, guard: guard };
})();
