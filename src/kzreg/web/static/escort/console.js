/* The escort tracking console (Order 407 §11): the offline basemap, the active seals with
   their routes, corridors, tracks and last positions, the open non-routine situations and
   the quarantine, kept current by the Server-Sent Events of /api/escort/live.
   No tile server and no other host: the basemap is GeoJSON served by kzreg itself. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("console-config").textContent);
  var L10N = config.labels;
  var state = { seals: {}, situations: {}, quarantine: [], signalLossAfter: 10800 };
  var layers = {};          // seal number -> {route, corridor, track, marker}
  var map, liveSource, basemapReady = false;

  // --- small helpers -------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, k) { return values[k]; });
  }
  function localTime(iso) {
    if (!iso) return "";
    return new Date(iso).toLocaleString(config.lang === "en" ? "en-GB" : "ru-RU",
      { timeZone: "Asia/Almaty", day: "2-digit", month: "2-digit", hour: "2-digit",
        minute: "2-digit", second: "2-digit" });
  }
  function age(iso) {
    if (!iso) return L10N.never;
    var s = Math.max(0, Math.floor((Date.now() - new Date(iso).getTime()) / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var text = h ? h + " " + L10N.h + " " + String(m).padStart(2, "0") + " " + L10N.min
      : m ? m + " " + L10N.min + " " + String(sec).padStart(2, "0") + " " + L10N.s
      : sec + " " + L10N.s;
    return fmt(L10N.ago, { age: text });
  }
  function post(url) {
    return fetch(url, { method: "POST", credentials: "same-origin",
      headers: { "X-CSRF-Token": config.csrf, "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); });
  }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); });
  }
  function openSituations(seal) {
    return Object.keys(state.situations).map(function (k) { return state.situations[k]; })
      .filter(function (s) { return !s.ended_at && (!seal || s.seal === seal); });
  }

  // --- the map ---------------------------------------------------------------------------
  var STYLE = {
    neighbour: { color: "#9aa7b4", weight: 1, fillColor: "#e9ecef", fillOpacity: 1 },
    country: { color: "#005f7f", weight: 2, fillColor: "#fbf8ef", fillOpacity: 1 },
    region: { color: "#b7a98a", weight: 1, dashArray: "4 4" },
    lake: { color: "#7fb2cf", weight: 1, fillColor: "#cfe3ef", fillOpacity: 1 },
    road: { color: "#d9822b", weight: 2, opacity: 0.8 }
  };
  function initMap() {
    map = L.map("console-map", { zoomSnap: 0.5, minZoom: 3, maxZoom: 13,
      attributionControl: true, worldCopyJump: false, preferCanvas: true,
      maxBounds: [[33, 36], [61, 98]], maxBoundsViscosity: 0.8 });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Natural Earth · GeoNames");
    map.fitBounds([[40.5, 46.5], [55.5, 87.5]]);
    map.on("zoomend", resizeCorridors);
    return getJSON(config.basemap_url).then(function (geo) {
      var order = ["neighbour", "country", "lake", "region", "road"];
      order.forEach(function (layer) {
        L.geoJSON(geo, {
          filter: function (f) { return f.properties.layer === layer; },
          style: function () { return STYLE[layer]; }, interactive: layer === "road",
          onEachFeature: function (f, lyr) {
            if (layer === "road") lyr.bindTooltip(f.properties.name, { sticky: true });
          }
        }).addTo(map);
      });
      L.geoJSON(geo, {
        filter: function (f) { return f.properties.layer === "city"; },
        pointToLayer: function (f, latlng) {
          var big = f.properties.population >= 300000;
          var m = L.circleMarker(latlng, { radius: big ? 4 : 3, color: "#3d4b59", weight: 1,
            fillColor: "#ffffff", fillOpacity: 1, interactive: false });
          if (big || f.properties.population === 0) {
            m.bindTooltip(f.properties.name, { permanent: true, direction: "right",
              className: "city-label", offset: [4, 0] });
          }
          return m;
        }
      }).addTo(map);
      basemapReady = true;
      document.getElementById("console-map").setAttribute("data-basemap", "ready");
    });
  }
  function metresPerPixel(lat) {
    return 40075016.686 * Math.cos(lat * Math.PI / 180) / Math.pow(2, map.getZoom() + 8);
  }
  function resizeCorridors() {
    Object.keys(layers).forEach(function (seal) {
      var entry = layers[seal], info = state.seals[seal];
      if (entry.corridor && info && info.corridor_m) {
        var lat = entry.corridor.getBounds().getCenter().lat;
        entry.corridor.setStyle({ weight: Math.max(2, 2 * info.corridor_m / metresPerPixel(lat)) });
      }
    });
  }
  function sealColour(seal) {
    return openSituations(seal).length ? "#b42318" : "#1a7f37";
  }
  function drawSeal(info) {
    var entry = layers[info.seal];
    if (!entry) {
      entry = layers[info.seal] = { group: L.layerGroup().addTo(map) };
      if (info.route) {
        var line = info.route.map(function (p) { return [p[1], p[0]]; });
        if (info.corridor_m) {
          entry.corridor = L.polyline(line, { color: "#00a3c4", opacity: 0.3,
            lineCap: "round", lineJoin: "round", interactive: false }).addTo(entry.group);
        }
        entry.route = L.polyline(line, { color: "#005f7f", weight: 2, dashArray: "6 4" })
          .addTo(entry.group);
      }
      entry.track = L.polyline([], { color: "#6f42c1", weight: 3 }).addTo(entry.group);
      entry.lastFix = info.last_position ? info.last_position.fix_time : null;
      getJSON(config.track_url.replace("{seal}", encodeURIComponent(info.seal)))
        .then(function (t) {
          var pts = t.points.map(function (p) { return [p[1], p[0]]; });
          entry.track.setLatLngs(pts.concat(entry.track.getLatLngs()));
        }).catch(function () {});
      resizeCorridors();
    }
    var pos = info.last_position;
    if (pos) {
      if (!entry.marker) {
        entry.marker = L.circleMarker([pos.lat, pos.lon], { radius: 7, weight: 2,
          color: "#ffffff", fillOpacity: 1 }).addTo(entry.group);
        entry.marker.bindTooltip(info.seal, { direction: "top", className: "seal-label" });
      }
      entry.marker.setLatLng([pos.lat, pos.lon]);
      entry.marker.setStyle({ fillColor: sealColour(info.seal) });
    }
  }
  function removeSeal(seal) {
    if (layers[seal]) { map.removeLayer(layers[seal].group); delete layers[seal]; }
  }

  // --- tables and lists -----------------------------------------------------------------
  function renderSeals() {
    var body = document.getElementById("seals");
    var seals = Object.keys(state.seals).sort();
    body.textContent = "";
    if (!seals.length) {
      body.appendChild(el("tr", { className: "empty-row" },
        [el("td", { colspan: "6", text: L10N.no_seals })]));
    }
    seals.forEach(function (number) {
      var s = state.seals[number], pos = s.last_position, alerts = openSituations(number);
      var escort = s.escort ? el("a", { href: s.escort.link, text: s.escort.number })
        : el("span", { className: "muted", text: s.escort_ref || "" });
      var where = pos ? pos.lat.toFixed(4) + ", " + pos.lon.toFixed(4) +
        (pos.seal_state ? " · " + L10N.seal_state + ": " + (L10N[pos.seal_state] || pos.seal_state) : "")
        : "";
      var stateCell = el("td", {}, [el("span", {
        className: "badge " + (alerts.length ? "badge-danger" : "badge-ok"),
        text: alerts.length ? L10N.alert + ": " + alerts.map(function (a) {
          return config.titles[a.type] || a.type; }).join(", ") : L10N.ok })]);
      var row = el("tr", { "data-seal": number, className: alerts.length ? "overdue" : "" }, [
        el("td", {}, [el("button", { className: "link-like", type: "button", text: number,
          "data-focus": number })]),
        el("td", {}, [escort]),
        el("td", { text: (s.departure_office || "") + " → " + (s.destination_office || "") }),
        el("td", { className: "age", "data-since": s.last_seen || "", text: age(s.last_seen) }),
        el("td", { className: "position", text: where }),
        stateCell
      ]);
      body.appendChild(row);
    });
    document.getElementById("count-seals").textContent = seals.length;
  }
  function renderSituations() {
    var list = document.getElementById("situations");
    var open = openSituations().sort(function (a, b) { return b.id - a.id; });
    list.textContent = "";
    if (!open.length) list.appendChild(el("li", { className: "empty", text: L10N.no_situations }));
    open.forEach(function (s) {
      var seal = state.seals[s.seal];
      var actions = [];
      if (s.acknowledged) {
        actions.push(el("span", { className: "small muted",
          text: L10N.acknowledged + " " + s.acknowledged.by + " " + localTime(s.acknowledged.at) }));
      } else if (config.can_acknowledge) {
        var button = el("button", { type: "button", className: "button small-button",
          text: L10N.acknowledge, "data-ack": String(s.id) });
        actions.push(button);
      }
      if (seal && seal.escort) {
        actions.push(el("a", { href: seal.escort.link, className: "small", text: L10N.open_escort }));
      }
      list.appendChild(el("li", { className: "situation situation-" + s.type,
        "data-situation": String(s.id) }, [
        el("div", { className: "situation-title", text: (config.titles[s.type] || s.type) + " · " + s.seal }),
        el("div", { className: "small", text: L10N.started + " " + localTime(s.started_at) +
          " · " + L10N.detected + " " + localTime(s.detected_at) }),
        el("div", { className: "small " + (s.notified_at ? "muted" : "deadline"),
          text: s.notified_at ? L10N.notified + " " + localTime(s.notified_at)
            : L10N.notify_by + " " + localTime(s.notify_by) + " (" + s.basis + ")" }),
        el("div", { className: "situation-actions" }, actions)
      ]));
    });
    document.getElementById("count-situations").textContent = open.length;
  }
  function renderQuarantine() {
    var list = document.getElementById("quarantine");
    if (!list) return;
    list.textContent = "";
    if (!state.quarantine.length) list.appendChild(el("li", { className: "empty", text: L10N.nothing_quarantined }));
    state.quarantine.slice(0, 20).forEach(function (q) {
      list.appendChild(el("li", {}, [
        el("div", { className: "situation-title", text: q.device + " · " + q.protocol }),
        el("div", { className: "small", text: localTime(q.received_at) + " · " + q.reason })]));
    });
    var count = document.getElementById("count-quarantine");
    if (count) count.textContent = state.quarantine.length;
  }
  function renderAll() {
    renderSeals(); renderSituations(); renderQuarantine();
    Object.keys(state.seals).forEach(function (n) { drawSeal(state.seals[n]); });
  }
  function tickAges() {
    document.querySelectorAll("#seals td.age").forEach(function (cell) {
      cell.textContent = age(cell.getAttribute("data-since"));
    });
  }

  // --- live updates ----------------------------------------------------------------------
  function setLive(stateName, text) {
    var box = document.getElementById("live-status");
    box.setAttribute("data-state", stateName);
    box.querySelector(".live-text").textContent = text;
  }
  function onPosition(p) {
    var seal = state.seals[p.seal];
    if (!seal) return;
    var last = seal.last_position;
    if (!last || p.fix_time >= last.fix_time) seal.last_position = p;
    if (!seal.last_seen || p.server_time > seal.last_seen) seal.last_seen = p.server_time;
    drawSeal(seal);
    var entry = layers[p.seal];
    // black-box records are in the track on the next load; a repeat is drawn once
    if (entry && entry.track && !p.archive && !(entry.lastFix >= p.fix_time)) {
      entry.track.addLatLng([p.lat, p.lon]);
      entry.lastFix = p.fix_time;
    }
    renderSeals();
    var row = document.querySelector('#seals tr[data-seal="' + CSS.escape(p.seal) + '"]');
    if (row) { row.classList.add("flash"); setTimeout(function () { row.classList.remove("flash"); }, 1200); }
  }
  function onSituation(s) {
    state.situations[s.id] = s;
    renderSituations(); renderSeals();
    if (state.seals[s.seal]) drawSeal(state.seals[s.seal]);
  }
  function connect(watermark) {
    if (liveSource) liveSource.close();
    liveSource = new EventSource(config.live_url + "?after=" + encodeURIComponent(watermark));
    liveSource.addEventListener("hello", function () { setLive("live", L10N.live); });
    liveSource.addEventListener("position", function (e) { onPosition(JSON.parse(e.data)); });
    liveSource.addEventListener("signal", function (e) {
      var d = JSON.parse(e.data), seal = state.seals[d.seal];
      if (seal) { seal.last_seen = d.last_seen; renderSeals(); }
    });
    liveSource.addEventListener("situation", function (e) { onSituation(JSON.parse(e.data)); });
    liveSource.addEventListener("quarantine", function (e) {
      state.quarantine.unshift(JSON.parse(e.data)); renderQuarantine();
    });
    liveSource.addEventListener("seals", function () { load(); });
    liveSource.onerror = function () { setLive("offline", L10N.offline); };
    liveSource.onopen = function () { setLive("live", L10N.live); };
  }
  function load() {
    return getJSON(config.state_url).then(function (snap) {
      var fresh = {};
      snap.seals.forEach(function (s) { fresh[s.seal] = s; });
      Object.keys(state.seals).forEach(function (n) { if (!fresh[n]) removeSeal(n); });
      state.seals = fresh;
      state.situations = {};
      snap.situations.forEach(function (s) { state.situations[s.id] = s; });
      state.quarantine = snap.quarantine;
      state.signalLossAfter = snap.signal_loss_after_s;
      config.can_acknowledge = snap.can_acknowledge;
      renderAll();
      connect(snap.watermark);
    });
  }

  // --- user actions ----------------------------------------------------------------------
  document.addEventListener("click", function (e) {
    var ack = e.target.closest("[data-ack]");
    if (ack) {
      ack.disabled = true;
      post(config.ack_url.replace("{id}", ack.getAttribute("data-ack"))).then(function (r) {
        var s = state.situations[r.situation_id];
        if (s) { s.acknowledged = r.acknowledged; renderSituations(); }
      }).catch(function () { ack.disabled = false; });
      return;
    }
    var focus = e.target.closest("[data-focus]");
    if (focus) {
      var entry = layers[focus.getAttribute("data-focus")];
      if (entry && entry.marker) map.setView(entry.marker.getLatLng(), Math.max(map.getZoom(), 8));
      else if (entry && entry.route) map.fitBounds(entry.route.getBounds());
    }
  });

  initMap().then(load).catch(function (err) { setLive("offline", String(err)); });
  setInterval(tickAges, 1000);
})();
