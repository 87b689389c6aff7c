/* The POS page of a merchant's staff: sign in, redeem a volunteer's code, today's redemptions,
   refunds for managers. Talks only to this gateway's /api; the staff token stays in sessionStorage. */
(function () {
  "use strict";

  var TOKEN_KEY = "shanxing.pos.token";
  var STAFF_KEY = "shanxing.pos.staff";
  var REMEMBER_KEY = "shanxing.pos.remember"; // merchant id and login only, never the password
  var ROLE_NAMES = { cashier: "收银员", manager: "店长" };
  var STATUS_NAMES = { completed: "已完成", partially_refunded: "部分退款", refunded: "已退款" };

  var state = { token: null, staff: null, goods: [], quantities: {}, pending: null, busy: false };

  var page = window.ShanxingPage;
  var $ = page.$, el = page.el, showMessage = page.showMessage;
  var call = page.caller(function () { return state.token; });
  var guard = page.guard(showSignIn);

  // A fresh Idempotency-Key; crypto.randomUUID needs a secure context, getRandomValues does not.
  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    return "pos-" + hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" +
      hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // --- problem+json in plain words ---------------------------------------------------------------

  var FIELD_NAMES = { code: "兑换码", items: "商品", store_id: "门店", merchant_id: "商户编号", login: "登录名",
                      password: "密码", "Idempotency-Key": "请求编号", body: "请求内容" };

  function goodName(sku) {
    var good = state.goods.filter(function (g) { return g.sku === sku; })[0];
    return good ? good.name : sku;
  }

  function skuIn(detail) {
    var match = /sku ([A-Za-z0-9._-]+)/.exec(detail || "");
    return match ? goodName(match[1]) : "";
  }

  function explain(answer) {
    var problem = answer.data || {};
    var detail = String(problem.detail || "");
    var errors = problem.errors || {};
    var status = answer.status;
    if (status === 401) { return "登录已失效，请重新登录"; }
    if (status === 429) { return page.throttled(answer); }
    if (status === 403) {
      if (/suspended/.test(detail)) { return "本商户已被暂停，暂时不能兑换"; }
      if (errors.store_id) { return "只能在本店兑换"; }
      return "当前账号无权进行此操作";
    }
    if (status === 404 && errors.code) {
      if (/already been used/.test(detail)) { return "该兑换码已经使用过，请志愿者重新生成"; }
      if (/expired/.test(detail)) { return "该兑换码已过期，请志愿者刷新后重新出示"; }
      return "兑换码无效，请核对后重新输入";
    }
    if (status === 404 && errors.items) { return "商品不存在：" + skuIn(detail); }
    if (status === 404) { return "找不到这笔记录"; }
    if (status === 409) {
      if (/insufficient points/.test(detail)) { return "志愿者积分不足"; }
      if (/insufficient stock/.test(detail)) { return "库存不足：" + skuIn(detail); }
      if (/inactive/.test(detail)) { return "商品已下架：" + skuIn(detail); }
      if (/per volunteer per day/.test(detail)) { return "超过每人每日兑换上限：" + skuIn(detail); }
      if (/settlement/.test(detail)) { return "这笔兑换已结算，不能退款"; }
      if (/refunded in full/.test(detail)) { return "这笔兑换已全部退款"; }
      if (/left to refund/.test(detail)) { return "可退数量不足：" + skuIn(detail); }
      if (errors["Idempotency-Key"]) { return "请求冲突，请重新操作"; }
      return "操作冲突：" + detail;
    }
    if (status === 400) { return page.invalid(errors, FIELD_NAMES); }
    return "操作失败（" + status + "）" + (detail ? "：" + detail : "");
  }

  // --- sign-in -------------------------------------------------------------------------------

  function remembered() {
    try { return JSON.parse(localStorage.getItem(REMEMBER_KEY) || "{}"); } catch (e) { return {}; }
  }

  function showSignIn(message) {
    state.token = null;
    state.staff = null;
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(STAFF_KEY);
    $("till").hidden = true;
    $("who").hidden = true;
    $("sign-in").hidden = false;
    var saved = remembered();
    if (saved.merchant_id && !$("merchant-id").value) { $("merchant-id").value = saved.merchant_id; }
    if (saved.login && !$("login").value) { $("login").value = saved.login; }
    $("password").value = "";
    showMessage($("sign-in-message"), message);
    ($("merchant-id").value ? ($("login").value ? $("password") : $("login")) : $("merchant-id")).focus();
  }

  function signIn(event) {
    event.preventDefault();
    page.signIn({
      path: "/merchant/staff/token",
      body: { merchant_id: $("merchant-id").value.trim(), login: $("login").value.trim(),
              password: $("password").value },
      missing: "请填写商户编号、登录名和密码",
      wrong: "商户编号、登录名或密码不正确",
      explain: explain,
      signedIn: function (data, body) {
        localStorage.setItem(REMEMBER_KEY, JSON.stringify({ merchant_id: body.merchant_id, login: body.login }));
        startTill(data.access_token, data.staff);
      }
    });
  }

  function startTill(token, staff) {
    state.token = token;
    state.staff = staff;
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(STAFF_KEY, JSON.stringify(staff));
    $("sign-in").hidden = true;
    $("till").hidden = false;
    $("who").hidden = false;
    $("who-name").textContent = whoText(staff);
    resetSale();
    loadStore();
    loadGoods();
    loadToday();
    $("code").focus();
  }

  // The header names the staff member's store once the merchant's stores are read.
  function loadStore() {
    return call("GET", "/merchant/stores?limit=200").then(guard).then(function (answer) {
      var store = answer.ok ? answer.data.items.filter(function (s) { return s.id === state.staff.store_id; })[0] : null;
      if (store) { $("who-name").textContent = whoText(state.staff) + " · " + store.name; }
    }, failed);
  }

  function whoText(staff) {
    return (staff.name || staff.login) + " · " + (ROLE_NAMES[staff.role] || staff.role);
  }

  // --- goods and quantities ------------------------------------------------------------------

  function loadGoods() {
    return call("GET", "/merchant/goods?limit=200").then(guard).then(function (answer) {
      if (!answer.ok) { showResult("error", "无法读取商品：" + explain(answer)); return; }
      state.goods = answer.data.items.filter(function (g) { return g.active; });
      renderGoods();
    }, failed);
  }

  function renderGoods() {
    var list = $("goods");
    list.textContent = "";
    state.goods.forEach(function (good) {
      var quantity = state.quantities[good.sku] || 0;
      var out = good.stock <= 0;
      var minus = el("button", { type: "button", "aria-label": "减少 " + good.name, text: "−",
                                 "data-sku": good.sku, "data-step": "-1" });
      var plus = el("button", { type: "button", "aria-label": "增加 " + good.name, text: "+",
                                "data-sku": good.sku, "data-step": "1" });
      minus.disabled = quantity <= 0;
      plus.disabled = out || quantity >= good.stock;
      var item = el("li", { className: out ? "out" : "", "data-sku": good.sku }, [
        el("div", { className: "name" }, [
          el("span", { text: good.name }),
          el("small", { text: good.points + " 积分 · " + (out ? "缺货" : "库存 " + good.stock) })
        ]),
        el("div", { className: "stepper" }, [minus, el("output", { text: String(quantity) }), plus])
      ]);
      list.appendChild(item);
    });
    $("goods-empty").hidden = state.goods.length > 0;
    $("total").textContent = String(total());
  }

  function total() {
    return state.goods.reduce(function (sum, good) {
      return sum + good.points * (state.quantities[good.sku] || 0);
    }, 0);
  }

  function step(event) {
    var button = event.target.closest("button[data-sku]");
    if (!button) { return; }
    var sku = button.getAttribute("data-sku");
    var next = (state.quantities[sku] || 0) + Number(button.getAttribute("data-step"));
    state.quantities[sku] = Math.max(0, Math.min(next, 1000));
    renderGoods();
  }

  // --- redeeming -----------------------------------------------------------------------------

  function digits(raw) { return String(raw || "").replace(/\D/g, ""); }

  function saleBody() {
    var items = Object.keys(state.quantities).sort().filter(function (sku) {
      return state.quantities[sku] > 0;
    }).map(function (sku) { return { sku: sku, quantity: state.quantities[sku] }; });
    return { code: digits($("code").value), items: items };
  }

  function redeem() {
    if (state.busy) { return; }
    var body = saleBody();
    if (body.code.length !== 12) { showResult("error", "兑换码应为 12 位数字，请核对"); $("code").focus(); return; }
    if (!body.items.length) { showResult("error", "请先选择要兑换的商品"); return; }
    var json = JSON.stringify(body);
    // The same sale after a network error keeps its key, so it can never be debited twice.
    if (!state.pending || state.pending.json !== json) {
      state.pending = { json: json, body: body, key: newKey() };
    }
    send(state.pending);
  }

  function retry() { if (state.pending) { send(state.pending); } }

  function send(pending) {
    state.busy = true;
    $("redeem").disabled = true;
    $("retry").hidden = true;
    showResult("info", "正在兑换…");
    call("POST", "/merchant/redemptions", pending.body, { "Idempotency-Key": pending.key })
      .then(guard).then(function (answer) {
        state.pending = null;  // a definite answer: the next sale gets a new key
        if (answer.status === 201) {
          showRedeemed(answer.data);
          resetSale();
          loadGoods();
          loadToday();
        } else {
          showResult("error", explain(answer));
          if (answer.data && answer.data.errors && answer.data.errors.code) { $("code").focus(); }
        }
      }, function (error) {
        if (error && error.handled) { return; }
        $("retry").hidden = false;
        showResult("error", (error.message || "网络错误") + "。兑换结果未知，请点击「重试」：同一笔兑换不会重复扣分。");
      }).then(function () {
        state.busy = false;
        $("redeem").disabled = false;
      });
  }

  function showResult(kind, text, children) {
    var box = $("result");
    box.className = "result " + (kind === "ok" ? "ok" : kind === "error" ? "error" : "");
    box.textContent = "";
    box.appendChild(el("h4", { text: text }));
    (children || []).forEach(function (child) { box.appendChild(child); });
    box.hidden = false;
  }

  function itemList(items) {
    return el("ul", {}, items.map(function (line) {
      return el("li", { text: line.name + " × " + line.quantity + "（" + line.points + " 积分）" });
    }));
  }

  function showRedeemed(redemption) {
    showResult("ok", "兑换成功", [
      el("p", { className: "who-redeemed", text: "志愿者：" + (redemption.volunteer.display_name || "（未留名）") }),
      el("p", { className: "points", text: "扣除积分：" + redemption.points }),
      itemList(redemption.items)
    ]);
  }

  function resetSale() {
    state.quantities = {};
    state.pending = null;
    $("code").value = "";
    $("retry").hidden = true;
    renderGoods();
  }

  // --- today's redemptions and refunds -------------------------------------------------------

  function isToday(iso) {
    var when = new Date(iso), now = new Date();
    return when.getFullYear() === now.getFullYear() && when.getMonth() === now.getMonth() &&
      when.getDate() === now.getDate();
  }

  function loadToday() {
    var found = [];
    function page(cursor) {
      var path = "/merchant/redemptions?limit=100" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
      return call("GET", path).then(guard).then(function (answer) {
        if (!answer.ok) { showMessage($("today-message"), explain(answer)); return; }
        var items = answer.data.items;
        var today = items.filter(function (r) { return isToday(r.created_at); });
        found = found.concat(today);
        // newest first: once a page reaches yesterday, there is nothing more of today
        if (answer.data.next && today.length === items.length) { return page(answer.data.next); }
        showMessage($("today-message"), "");
        renderToday(found);
      });
    }
    return page(null).catch(failed);
  }

  function renderToday(redemptions) {
    var list = $("today");
    list.textContent = "";
    var net = redemptions.reduce(function (sum, r) { return sum + r.points - r.refunded_points; }, 0);
    $("today-summary").textContent = redemptions.length ? "共 " + redemptions.length + " 笔，净兑换 " + net + " 积分"
      : "今天还没有兑换";
    redemptions.forEach(function (r) {
      var time = new Date(r.created_at).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" });
      var items = r.items.map(function (l) { return l.name + "×" + l.quantity; }).join("，");
      var status = el("span", { className: "badge", text: STATUS_NAMES[r.status] || r.status });
      var line1 = el("div", { className: "line1" }, [
        el("span", { text: time + " " + (r.volunteer.display_name || "") }),
        el("span", { className: r.status === "refunded" ? "status-refunded" : "", text: r.points + " 积分" })
      ]);
      line1.firstChild.appendChild(status);
      var entry = el("li", { "data-id": r.id }, [line1, el("div", { className: "line2", text: items })]);
      if (state.staff && state.staff.role === "manager" && r.status !== "refunded") {
        entry.appendChild(el("button", { type: "button", className: "refund", "data-refund": r.id,
                                         text: "退款 " + (r.points - r.refunded_points) + " 积分" }));
      }
      list.appendChild(entry);
    });
  }

  var refunds = {};  // redemption id -> Idempotency-Key of its refund, kept across a network retry

  function refundClicked(event) {
    var button = event.target.closest("button[data-refund]");
    if (!button || button.disabled) { return; }
    var id = button.getAttribute("data-refund");
    if (!button.classList.contains("confirm")) {  // two taps: a slip of the finger refunds nothing
      button.classList.add("confirm");
      button.textContent = "确认退款？";
      return;
    }
    button.disabled = true;
    refunds[id] = refunds[id] || newKey();
    call("POST", "/merchant/redemptions/" + encodeURIComponent(id) + "/refund", undefined,
         { "Idempotency-Key": refunds[id] }).then(guard).then(function (answer) {
      delete refunds[id];
      if (answer.ok) {
        showResult("ok", "退款成功", [
          el("p", { className: "points", text: "退回积分：" + answer.data.refund.points }),
          itemList(answer.data.refund.items.map(function (l) {
            return { name: goodName(l.sku), quantity: l.quantity, points: l.points };
          }))
        ]);
        loadGoods();
      } else {
        showResult("error", "退款失败：" + explain(answer));
      }
      loadToday();
    }, function (error) {
      if (error && error.handled) { return; }
      button.disabled = false;
      button.classList.remove("confirm");
      button.textContent = "重试退款（不会重复退款）";
      showResult("error", (error.message || "网络错误") + "。退款结果未知，请再点一次退款重试。");
    });
  }

  function failed(error) {
    if (error && error.handled) { return; }
    showResult("error", ((error && error.message) || "网络错误") + "，请检查网络后刷新");
  }

  // --- wiring --------------------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", function () {
    $("sign-in-form").addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", function () { showSignIn(""); });
    $("goods").addEventListener("click", step);
    $("redeem").addEventListener("click", redeem);
    $("retry").addEventListener("click", retry);
    $("refresh").addEventListener("click", function () { loadGoods(); loadToday(); });
    $("today").addEventListener("click", refundClicked);
    // A barcode scanner types the digits and then Enter.
    $("code").addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); redeem(); }
    });
    // Tapping or focusing the code selects it, so the next scan or typing replaces the old code.
    $("code").addEventListener("pointerdown", function (event) {
      event.preventDefault();
      $("code").focus();
      $("code").select();
    });
    $("code").addEventListener("focus", function () { $("code").select(); });
    // The last 12 digits count: a code scanned into a field still holding the previous one replaces it.
    $("code").addEventListener("input", function () {
      var clean = digits($("code").value).slice(-12);
      var grouped = clean.replace(/(\d{4})(?=\d)/g, "$1 ");
      if ($("code").value !== grouped) { $("code").value = grouped; }
    });
    var token = sessionStorage.getItem(TOKEN_KEY);
    var staff = null;
    try { staff = JSON.parse(sessionStorage.getItem(STAFF_KEY) || "null"); } catch (e) { staff = null; }
    if (token && staff) { startTill(token, staff); } else { showSignIn(""); }
  });
})();
