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

  function sankey() {
    var d = data("sankey-data");
    if (!d || !d.value.length) { return; }
    Plotly.newPlot("sankey-chart", [{
      type: "sankey", orientation: "h", valuesuffix: " " + d.unit,
      node: {label: d.labels, pad: 18, thickness: 16},
      link: {source: d.source, target: d.target, value: d.value}
    }], {font: font, margin: {l: 8, r: 8, t: 8, b: 8}}, plotConfig);
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

  function genealogy() {
    var d = data("genealogy-data");
    if (!d || !d.value.length) { return; }
    var chart = document.getElementById("genealogy-chart");
    Plotly.newPlot(chart, [{
      type: "sankey", orientation: "h", arrangement: "snap",
      node: {label: d.labels, color: d.colors, pad: 14, thickness: 14, customdata: d.urls,
             hovertemplate: "%{label}<extra></extra>"},
      link: {source: d.source, target: d.target, value: d.value, customdata: d.hover,
             hovertemplate: "%{source.label} → %{target.label}<br>%{customdata}<extra></extra>"}
    }], {font: font, margin: {l: 8, r: 8, t: 8, b: 8}}, plotConfig);
    chart.on("plotly_click", function (event) {
      var point = event.points && event.points[0];
      var url = point && point.customdata;
      if (typeof url === "string" && url) { window.location.assign(url); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button.add-row").forEach(function (b) {
      b.addEventListener("click", addRow);
    });
    var upload = document.getElementById("upload-form");
    if (upload) { upload.addEventListener("submit", uploadWithProgress); }
    document.querySelectorAll("form.with-progress").forEach(function (f) {
      f.addEventListener("submit", pollProgress);
    });
    if (window.Plotly) { sankey(); volumes(); genealogy(); }
  });
})();
