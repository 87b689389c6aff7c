/* The volunteer's points page: sign in, the balance, a one-time redemption code (digits, QR and a
   countdown) to show at the till, pending holds, points about to expire and the entries. Talks only to
   this gateway's /api; the token stays in sessionStorage (gone when the tab closes), the code in memory. */
(function () {
  "use strict";

  var TOKEN_KEY = "shanxing.points.token";
  var ENTRIES_PER_PAGE = 20;
  var EXPIRY_DATES_SHOWN = 3;
  var KIND_NAMES = { hours: "服务时长", star: "星级奖励", commendation: "表彰奖励", revoke: "时长撤销",
                     settle: "抵扣欠分", redeem: "兑换", refund: "兑换退款", expire: "积分过期",
                     hold: "兑换暂扣", release: "暂扣退回" };
  var FIELD_NAMES = { phone: "手机号", password: "密码", body: "请求内容" };

  var state = { token: null, next: null, code: null, qrUrl: null, timer: null };

  var page = window.ShanxingPage;
  var $ = page.$, el = page.el, showMessage = page.showMessage;
  var call = page.caller(function () { return state.token; });
  var guard = page.guard(showSignIn);

  // --- problem+json in plain words ---------------------------------------------------------------

  function explain(answer) {
    var problem = answer.data || {};
    if (answer.status === 429) { return page.throttled(answer); }
    if (answer.status === 400) { return page.invalid(problem.errors, FIELD_NAMES); }
    return "操作失败（" + answer.status + "）" + (problem.detail ? "：" + problem.detail : "");
  }

  function failedInto(node) {
    return function (error) {
      if (error && error.handled) { return; }
      showMessage(node, ((error && error.message) || "网络错误") + "，请检查网络后刷新");
    };
  }

  function localTime(iso) {
    return new Date(iso).toLocaleString("zh-CN", { year: "numeric", month: "2-digit", day: "2-digit",
                                                    hour: "2-digit", minute: "2-digit" });
  }

  function localDate(iso) {
    return new Date(iso).toLocaleDateString("zh-CN", { year: "numeric", month: "long", day: "numeric" });
  }

  function signed(points) { return (points > 0 ? "+" : "") + points; }

  // --- sign-in -------------------------------------------------------------------------------

  function showSignIn(message) {
    state.token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    clearCode("");
    forgetFigures();
    $("mine").hidden = true;
    $("who").hidden = true;
    $("sign-in").hidden = false;
    $("password").value = "";
    showMessage($("sign-in-message"), message);
    ($("phone").value ? $("password") : $("phone")).focus();
  }

  // Nothing of the last person stays on a shared phone.
  function forgetFigures() {
    ["balance", "earned", "redeemed"].forEach(function (id) { $(id).textContent = "–"; });
    ["debt", "points-message", "code-message", "entries-message"].forEach(function (id) { showMessage($(id), ""); });
    ["expiring", "holds", "entries"].forEach(function (id) { $(id).textContent = ""; });
    $("holds-card").hidden = true;
    $("more").hidden = true;
    $("new-code").textContent = "出示兑换码";
    state.next = null;
  }

  function signIn(event) {
    event.preventDefault();
    page.signIn({
      path: "/auth/token",
      body: { phone: $("phone").value.trim(), password: $("password").value },
      missing: "请填写手机号和密码",
      wrong: "手机号或密码不正确",
      explain: explain,
      signedIn: function (data) { start(data.access_token); }
    });
  }

  function start(token) {
    state.token = token;
    sessionStorage.setItem(TOKEN_KEY, token);
    $("sign-in").hidden = true;
    $("mine").hidden = false;
    $("who").hidden = false;
    $("password").value = "";
    refresh();
  }

  function refresh() {
    loadPoints();
    loadLots();
    loadHolds();
    loadEntries(true);
  }

  // --- my points -----------------------------------------------------------------------------

  function loadPoints() {
    return call("GET", "/points/me").then(guard).then(function (answer) {
      if (!answer.ok) { showMessage($("points-message"), explain(answer)); return; }
      var points = answer.data;
      showMessage($("points-message"), "");
      $("balance").textContent = String(points.balance);
      $("earned").textContent = String(points.earned);
      $("redeemed").textContent = String(points.redeemed);
      // Debt is revoked hours' points already spent: it is settled from what comes next.
      showMessage($("debt"), points.debt > 0 ? "待抵扣 " + points.debt + " 积分：已撤销的服务时长所得积分已被使用，" +
        "将从今后获得的积分中抵扣，抵清前可用积分为 0。" : "");
    }, failedInto($("points-message")));
  }

  // Points per local expiry date, soonest first; with expiry off (expiry_days null) nothing.
  function loadLots() {
    return call("GET", "/points/me/lots?limit=100").then(guard).then(function (answer) {
      var list = $("expiring");
      list.textContent = "";
      if (!answer.ok || answer.data.expiry_days === null) { return; }
      var byDate = [];
      answer.data.items.forEach(function (lot) {
        var date = localDate(lot.expires_at), last = byDate[byDate.length - 1];
        if (last && last.date === date) { last.points += lot.points; }
        else { byDate.push({ date: date, points: lot.points }); }
      });
      // The last date may go on in the next page: its sum would be short.
      if (answer.data.next && byDate.length > 1) { byDate.pop(); }
      byDate.slice(0, EXPIRY_DATES_SHOWN).forEach(function (group) {
        list.appendChild(el("li", { text: group.points + " 积分将于 " + group.date + " 过期" }));
      });
    }, failedInto($("points-message")));
  }

  function loadHolds() {
    return call("GET", "/points/me/holds?limit=50").then(guard).then(function (answer) {
      var list = $("holds");
      list.textContent = "";
      var holds = answer.ok ? answer.data.items : [];
      holds.forEach(function (hold) {
        list.appendChild(el("li", {}, [
          el("div", { className: "line1" }, [el("span", { text: hold.merchant_name }),
                                             el("span", { className: "minus", text: hold.points + " 积分" })]),
          el("div", { className: "line2", text: "未确认将于 " + localTime(hold.expires_at) + " 退回" })
        ]));
      });
      $("holds-card").hidden = holds.length === 0;
    }, failedInto($("points-message")));
  }

  // --- entries -------------------------------------------------------------------------------

  function loadEntries(fromStart) {
    var cursor = fromStart ? null : state.next;
    var path = "/points/me/entries?limit=" + ENTRIES_PER_PAGE + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
    $("more").disabled = true;
    return call("GET", path).then(guard).then(function (answer) {
      if (!answer.ok) { showMessage($("entries-message"), explain(answer)); return; }
      showMessage($("entries-message"), "");
      if (fromStart) { $("entries").textContent = ""; }
      answer.data.items.forEach(function (entry) { $("entries").appendChild(entryItem(entry)); });
      state.next = answer.data.next;
      $("more").hidden = !state.next;
      $("entries-empty").hidden = $("entries").children.length > 0;
    }, failedInto($("entries-message"))).then(function () { $("more").disabled = false; });
  }

  function entryItem(entry) {
    return el("li", { "data-kind": entry.kind }, [
      el("div", { className: "line1" }, [
        el("span", { className: "kind", text: KIND_NAMES[entry.kind] || entry.kind }),
        el("span", { className: entry.points < 0 ? "minus" : "plus", text: signed(entry.points) })
      ]),
      el("div", { className: "line2" }, [
        el("span", { text: localTime(entry.created_at) }),
        el("span", { text: "余额 " + entry.balance_after })
      ])
    ]);
  }

  // --- the redemption code -------------------------------------------------------------------

  function grouped(code) { return code.replace(/(\d{4})(?=\d)/g, "$1 "); }

  function clearCode(status) {
    clearInterval(state.timer);
    if (state.qrUrl) { URL.revokeObjectURL(state.qrUrl); }
    state.timer = null;
    state.qrUrl = null;
    state.code = null;
    $("code-box").hidden = true;
    $("code").textContent = "";
    $("qr").hidden = true;
    $("qr").removeAttribute("src");
    $("code-status").textContent = status;
  }

  function newCode() {
    var button = $("new-code");
    button.disabled = true;
    showMessage($("code-message"), "");
    call("POST", "/points/redemption-codes").then(guard).then(function (answer) {
      if (!answer.ok) { showMessage($("code-message"), explain(answer)); return; }
      // The countdown runs on the code's lifetime by the gateway's clock (a phone's own clock may be
      // minutes off), less a second for the Date header's rounding.
      var expires = Date.parse(answer.data.expires_at), served = Date.parse(answer.headers.get("Date") || "");
      showCode(answer.data.code, isNaN(served) ? expires : Date.now() + (expires - served) - 1000);
    }, failedInto($("code-message"))).then(function () { button.disabled = false; });
  }

  function showCode(code, deadline) {
    clearCode("");
    state.code = code;
    $("code").textContent = grouped(code);
    $("code-box").hidden = false;
    $("new-code").textContent = "换一个兑换码";
    loadQr(code);
    tick(deadline);
    state.timer = setInterval(function () { tick(deadline); }, 1000);
  }

  // The image needs the token, so it is fetched here and shown from a blob: URL.
  function loadQr(code) {
    var path = "/points/redemption-codes/" + encodeURIComponent(code) + "/qr.svg";
    page.send(state.token, "GET", path, undefined, { "Accept": "image/svg+xml" }).then(function (response) {
      guard(response);
      if (!response.ok) { throw new Error("二维码加载失败，请出示数字兑换码"); }
      return response.blob();
    }).then(function (svg) {
      if (state.code !== code) { return; }  // a newer code (or sign-out) came meanwhile
      state.qrUrl = URL.createObjectURL(svg);
      $("qr").src = state.qrUrl;
      $("qr").hidden = false;
    }).catch(function (error) {
      if (error && error.handled) { return; }
      showMessage($("code-message"), (error && error.message) || "二维码加载失败，请出示数字兑换码");
    });
  }

  function tick(deadline) {
    var left = Math.round((deadline - Date.now()) / 1000);
    if (left <= 0) {
      clearCode("兑换码已过期，请重新生成");
      $("new-code").textContent = "重新生成兑换码";
      return;
    }
    $("countdown").textContent = "有效期还剩 " + Math.floor(left / 60) + " 分 " + ("0" + left % 60).slice(-2) + " 秒";
  }

  // --- wiring --------------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", function () {
    $("sign-in-form").addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", function () { showSignIn(""); });
    $("refresh").addEventListener("click", refresh);
    $("new-code").addEventListener("click", newCode);
    $("more").addEventListener("click", function () { loadEntries(false); });
    var token = sessionStorage.getItem(TOKEN_KEY);
    if (token) { start(token); } else { showSignIn(""); }
  });
})();
