/* reetrace portal: small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  /* Transformation rows: clone the empty row and renumber it. */
  function addRow(event) {
    var fieldset = event.target.closest("fieldset.rows");
    var prefix = fieldset.dataset.prefix;
    var total = fieldset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var html = fieldset.querySelector("template.row-template").innerHTML;
    var list = fieldset.querySelector("ol.row-list");
    list.insertAdjacentHTML("beforeend", html.replace(/__prefix__/g, total.value));
    total.value = String(Number(total.value) + 1);
    var first = list.lastElementChild.querySelector("input, select");
    if (first) { first.focus(); }
  }

  /* Upload: show how much of the file has been sent. */
  function uploadWithProgress(event) {
    var form = event.target;
    if (!window.XMLHttpRequest || !window.FormData) { return; }
    event.preventDefault();
    var bar = document.getElementById("upload-progress");
    bar.hidden = false;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
    };
    xhr.onload = function () {
      if (xhr.responseURL && xhr.responseURL !== window.location.href) {
        window.location.assign(xhr.responseURL);
      } else {
        document.open(); document.write(xhr.responseText); document.close();
      }
    };
    xhr.send(new FormData(form));
  }

  /* Check and commit: poll rows processed while the request runs. */
  function pollProgress(event) {
    var actions = event.target.closest(".actions");
    var line = actions.querySelector(".progress-line");
    var bar = line.querySelector("progress");
    var text = line.querySelector(".progress-text");
    line.hidden = false;
    event.target.querySelector("button").disabled = true;
    window.setInterval(function () {
      fetch(actions.dataset.progressUrl, {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (p) {
          if (!p.total) { return; }
          bar.max = p.total; bar.value = p.done;
          text.textContent = p.done + " / " + p.total + " " + actions.dataset.progressLabel;
        })
        .catch(function () { /* the next poll tries again */ });
    }, 500);
  }

  var plotConfig = {responsive: true, displaylogo: false};
  var font = {family: "system-ui, 'Noto Sans CJK SC', 'PingFang SC', sans-serif", size: 12};

  /* Sankey labels never overlap: after each drawing, labels are placed biggest node
     first, and one that would cross a label already placed (or leave the chart) is cut
     short with an ellipsis, or left out when even its first letters do not fit; the
     full name stays on hover. Plotly places a label by its node alone, so at forty
     nodes the long "enterprise · stage" names ran into each other and off the box. */
  function labelsDeclutter(chart) {
    var frame = chart.getBoundingClientRect();
    var texts = Array.prototype.slice.call(chart.querySelectorAll(".sankey-node text.node-label"));
    var placed = [];
    function size(t) { return (t.__data__ && t.__data__.visibleHeight) || 0; }
    function clashes(r) {
      if (r.left < frame.left || r.right > frame.right || r.top < frame.top || r.bottom > frame.bottom) {
        return true;
      }
      return placed.some(function (p) {
        return r.left < p.right && p.left < r.right && r.top < p.bottom && p.top < r.bottom;
      });
    }
    texts.sort(function (a, b) { return size(b) - size(a); });
    texts.forEach(function (t) {
      var full = (t.__data__ && t.__data__.node && t.__data__.node.label) || t.textContent;
      var keep = full.length;
      t.textContent = full;
      while (keep > 0 && clashes(t.getBoundingClientRect())) {
        keep = keep > 12 ? keep - Math.ceil(keep / 8) : keep - 1;
        t.textContent = keep > 0 ? full.slice(0, keep) + "…" : "";
      }
      if (keep > 0) { placed.push(t.getBoundingClientRect()); }
    });
    chart.dataset.labelsCut = String(texts.filter(function (t) {
      return t.textContent !== ((t.__data__ && t.__data__.node && t.__data__.node.label) || t.textContent);
    }).length);
  }

  function sankeyDraw(chart, traces, layout) {
    Plotly.react(chart, traces, layout, plotConfig).then(function () { labelsDeclutter(chart); });
    if (!chart.dataset.declutter) {
      chart.dataset.declutter = "1";
      chart.on("plotly_afterplot", function () { labelsDeclutter(chart); });
    }
  }

  function sankey() {
    var d = data("sankey-data");
    if (!d || !d.value.length) { return; }
    /* Height grows with the nodes of the busiest column, so none is pushed out of the box. */
    var height = Math.max(420, 24 * d.labels.length);
    sankeyDraw(document.getElementById("sankey-chart"), [{
      type: "sankey", orientation: "h", valuesuffix: " " + d.unit, arrangement: "snap",
      node: {label: d.labels, pad: 12, thickness: 16},
      link: {source: d.source, target: d.target, value: d.value}
    }], {font: font, height: height, margin: {l: 8, r: 8, t: 16, b: 16}});
  }

  function volumes() {
    var d = data("volumes-data");
    if (!d || !d.months.length) { return; }
    var traces = d.series.map(function (s) {
      return {type: "bar", name: s.name, x: d.months, y: s.values, hovertemplate: "%{y:,.3f} kg<extra>" + s.name + "</extra>"};
    });
    Plotly.newPlot("volumes-chart", traces, {
      barmode: "stack", font: font, margin: {l: 60, r: 8, t: 8, b: 40},
      xaxis: {type: "category"}, yaxis: {title: {text: "kg"}}, legend: {orientation: "h"}
    }, plotConfig);
  }

  /* A lot's genealogy: lot by lot, or (large ones) by enterprise x product stage with a
     click on a group expanding it into its lots; a click on a lot opens its page. */
  var GROUP_COLOUR = "#6b7b86";

  function genealogyView(d, expanded) {
    var index = {}, nodes = {labels: [], colors: [], data: []}, links = {}, order = [];
    function shown(i) {
      var g = d.groups[i];
      return (!d.grouped || g < 0 || expanded[g]) ? "n" + i : "g" + g;
    }
    function node(key, i) {
      if (!(key in index)) {
        index[key] = nodes.labels.length;
        var group = key.charAt(0) === "g";
        var g = d.groups[i];
        nodes.labels.push(group ? d.group_labels[g] : d.labels[i]);
        nodes.colors.push(group ? GROUP_COLOUR : d.colors[i]);
        /* what a click does, and the full name shown on hover */
        nodes.data.push(group ? ["group:" + g, d.group_titles[g]] : [d.urls[i], d.labels[i]]);
      }
      return index[key];
    }
    for (var e = 0; e < d.source.length; e++) {
      var s = shown(d.source[e]), t = shown(d.target[e]);
      if (s === t) { continue; }
      var si = node(s, d.source[e]), ti = node(t, d.target[e]), key = si + ">" + ti;
      if (!(key in links)) { links[key] = {s: si, t: ti, v: 0, n: 0, hover: d.hover[e]}; order.push(key); }
      links[key].v += d.value[e]; links[key].n += 1;
    }
    var all = order.map(function (k) { return links[k]; });
    return {
      nodes: nodes,
      source: all.map(function (l) { return l.s; }),
      target: all.map(function (l) { return l.t; }),
      value: all.map(function (l) { return l.v; }),
      hover: all.map(function (l) {
        return l.n > 1 ? l.n + " × · " + l.v.toLocaleString(undefined, {maximumFractionDigits: 3}) + " kg" : l.hover;
      })
    };
  }

  function genealogy() {
    var d = data("genealogy-data");
    if (!d || !d.value.length) { return; }
    var chart = document.getElementById("genealogy-chart");
    var expanded = {};
    function draw() {
      var v = genealogyView(d, expanded);
      chart.dataset.nodes = String(v.nodes.labels.length);
      /* Height grows with the nodes, so labels keep their own line. */
      var height = Math.max(420, 30 * v.nodes.labels.length);
      sankeyDraw(chart, [{
        type: "sankey", orientation: "h", arrangement: "snap",
        node: {label: v.nodes.labels, color: v.nodes.colors, pad: 10, thickness: 14,
               customdata: v.nodes.data, hovertemplate: "%{customdata[1]}<extra></extra>"},
        link: {source: v.source, target: v.target, value: v.value, customdata: v.hover,
               hovertemplate: "%{source.label} → %{target.label}<br>%{customdata}<extra></extra>"}
      }], {font: font, height: height, margin: {l: 8, r: 8, t: 8, b: 8}});
    }
    draw();
    document.querySelectorAll("#genealogy-groups button.expand").forEach(function (button) {
      button.addEventListener("click", function () {
        expanded[Number(button.dataset.group)] = true;
        button.disabled = true;
        draw();
      });
    });
    chart.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      var target = point && point.customdata;
      if (Array.isArray(target)) { target = target[0]; }
      if (typeof target !== "string" || !target) { return; }
      if (target.indexOf("group:") === 0) {
        var g = Number(target.slice(6));
        expanded[g] = true;
        var button = document.querySelector("#genealogy-groups button[data-group='" + g + "']");
        if (button) { button.disabled = true; }
        draw();
      } else if (target.charAt(0) === "/") {  /* a lot; a band's data is its hover text */
        window.location.assign(target);
      }
    });
  }

  /* Detection run: poll its progress until it is done or failed, then reload once. */
  function runProgress() {
    var box = document.getElementById("run-progress");
    if (!box || box.dataset.finished === "1") { return; }
    var bar = box.querySelector("progress");
    var count = box.querySelector(".run-count");
    var status = box.querySelector(".run-status");
    var timer = window.setInterval(function () {
      fetch(box.dataset.url, {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (p) {
          bar.max = p.total; bar.value = p.done;
          count.textContent = p.done + " / " + p.total;
          status.textContent = p.status_label;
          if (p.finished) { window.clearInterval(timer); window.location.reload(); }
        })
        .catch(function () { /* the next poll tries again */ });
    }, 1000);
  }

  function licensing() {
    var d = data("licensing-data");
    if (!d) { return; }
    var layout = {font: font, margin: {l: 60, r: 8, t: 8, b: 60}, xaxis: {type: "category"}};
    if (d.backlog.states.length) {
      Plotly.newPlot("backlog-chart", [{
        type: "bar", x: d.backlog.states, y: d.backlog.counts,
        hovertemplate: "%{x}: %{y} " + d.backlog.unit + "<extra></extra>"
      }], Object.assign({}, layout, {yaxis: {title: {text: d.backlog.unit}}}), plotConfig);
    }
    if (d.lead.days.length) {
      Plotly.newPlot("lead-chart", [{
        type: "bar", x: d.lead.days, y: d.lead.counts,
        hovertemplate: "%{x} " + d.lead.unit + ": %{y}<extra></extra>"
      }], Object.assign({}, layout, {
        xaxis: {title: {text: d.lead.unit}}, yaxis: {title: {text: d.backlog.unit}}
      }), plotConfig);
    }
  }

  function reconciliation() {
    var d = data("reconciliation-data");
    if (!d) { return; }
    var s = d.series;
    if (s.months.length) {
      Plotly.newPlot("series-chart", [
        {type: "scatter", mode: "lines+markers", name: s.ours_label, x: s.months, y: s.ours,
         hovertemplate: "%{y:,.3f} kg<extra>" + s.ours_label + "</extra>"},
        {type: "scatter", mode: "lines+markers", name: s.theirs_label, x: s.months, y: s.theirs,
         hovertemplate: "%{y:,.3f} kg<extra>" + s.theirs_label + "</extra>"}
      ], {font: font, margin: {l: 70, r: 8, t: 8, b: 40}, xaxis: {type: "category"},
          yaxis: {title: {text: "kg"}}, legend: {orientation: "h"}}, plotConfig);
    }
    var w = d.waterfall;
    if (!w) { return; }
    Plotly.newPlot("waterfall-chart", [{
      type: "waterfall", x: w.labels, y: w.values, measure: w.measures,
      hovertemplate: "%{x}: %{y:,.3f} " + w.unit + "<extra></extra>"
    }], {font: font, margin: {l: 70, r: 8, t: 8, b: 60}, yaxis: {title: {text: w.unit}},
        showlegend: false}, plotConfig);
  }

  /* Typeahead: a datalist too long to send with the page names an endpoint; as the user
     types, the first matches replace its options (rows added later are covered too). */
  function typeahead() {
    var timers = {};
    document.addEventListener("input", function (event) {
      var input = event.target;
      var list = input.list;
      if (!list || !list.dataset.typeahead || input.value.trim().length < 2) { return; }
      window.clearTimeout(timers[list.id]);
      timers[list.id] = window.setTimeout(function () {
        var url = list.dataset.typeahead + "?q=" + encodeURIComponent(input.value.trim());
        fetch(url, {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (body) {
            list.replaceChildren.apply(list, body.options.map(function (o) {
              var option = document.createElement("option");
              option.value = o.value; option.textContent = o.label;
              return option;
            }));
          })
          .catch(function () { /* the next keystroke asks again */ });
      }, 200);
    });
  }

  /* Task menus: one open at a time; Escape or a click elsewhere closes it. */
  function taskMenus() {
    var menus = Array.prototype.slice.call(document.querySelectorAll("details.task"));
    menus.forEach(function (menu) {
      menu.addEventListener("toggle", function () {
        if (!menu.open) { return; }
        menus.forEach(function (other) { if (other !== menu) { other.open = false; } });
      });
    });
    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) { if (!menu.contains(event.target)) { menu.open = false; } });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      menus.forEach(function (menu) {
        if (menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    taskMenus();
    typeahead();
    runProgress();
    document.querySelectorAll("button.add-row").forEach(function (b) {
      b.addEventListener("click", addRow);
    });
    var upload = document.getElementById("upload-form");
    if (upload) { upload.addEventListener("submit", uploadWithProgress); }
    document.querySelectorAll("button.print").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("form.with-progress").forEach(function (f) {
      f.addEventListener("submit", pollProgress);
    });
    if (window.Plotly) { sankey(); volumes(); genealogy(); licensing(); reconciliation(); }
  });
})();
