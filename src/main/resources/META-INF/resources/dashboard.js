// Live dashboard: polls /v1/engine (every second) and /v1/stats (completed latency windows) and
// draws line charts on <canvas> by hand, so the page needs nothing but this service.
//
// Times: engine samples are stamped with this page's clock; stats windows carry the server's
// clock. Each /v1/engine answer says when it was read ("at"), which gives the offset between the
// two clocks, so a browser whose clock is off still places the windows next to the engine samples.
//
// For tests each canvas carries data-points: how many samples it plotted at its last redraw.
'use strict';

(function () {
  const params = new URLSearchParams(window.location.search);
  const MINUTES = clampInt(params.get('minutes'), 1, 60, 5);
  const SPAN_MS = MINUTES * 60000;
  const ENGINE_POLL_MS = 1000;
  const STATS_POLL_MS = 2000;
  const MAX_RETRY_AFTER_MS = 30000;
  const FETCH_TIMEOUT_MS = 5000;
  const WINDOW_MS = { '10s': 10000, '1m': 60000 };

  const BLUE = '#2563eb';
  const RED = '#dc2626';
  const GREEN = '#059669';
  const AMBER = '#d97706';
  const PURPLE = '#7c3aed';

  let clockOffsetMs = 0;            // server clock minus page clock, from the latest engine answer
  const engineSamples = [];         // {t (page clock), snap}
  let statsWindows = [];            // completed windows from the latest 200 of /v1/stats
  let statsWindow = params.get('window') === '1m' ? '1m' : '10s';
  let statsEmptyText = 'connecting to /v1/stats…';

  const charts = {
    ttft: new LineChart('chart-ttft', [{ name: 'p50', color: BLUE }, { name: 'p99', color: RED }]),
    itl: new LineChart('chart-itl', [{ name: 'p50', color: BLUE }, { name: 'p99', color: RED }]),
    tps: new LineChart('chart-tps', [{ name: 'tokens/s', color: GREEN }]),
    batch: new LineChart('chart-batch', [{ name: 'batch size', color: BLUE },
      { name: 'running', color: GREEN }, { name: 'waiting', color: AMBER }]),
    // in percent of the pool: a pool of thousands of blocks would flatten a line of tens to the axis
    kv: new LineChart('chart-kv', [{ name: 'used', color: PURPLE }, { name: 'cached', color: GREEN }])
  };

  // ---------------------------------------------------------------------------------------------
  // polling
  // ---------------------------------------------------------------------------------------------

  async function pollEngine() {
    const sent = Date.now();
    try {
      const r = await fetchJson('/v1/engine');
      const mid = (sent + Date.now()) / 2;
      if (r.status === 200 && r.body) {
        const at = Date.parse(r.body.at);
        if (Number.isFinite(at)) {
          clockOffsetMs = at - mid;
        }
        engineSamples.push({ t: mid, snap: r.body });
        while (engineSamples.length && engineSamples[0].t < mid - SPAN_MS) {
          engineSamples.shift();
        }
        showTiles(r.body);
        setBadge('engine-status', 'ok', 'engine: ' + String(r.body.state).toLowerCase());
      } else {
        setBadge('engine-status', r.status === 503 ? 'wait' : 'error', 'engine: ' + describe(r));
      }
    } catch (e) {
      setBadge('engine-status', 'error', 'engine: unreachable (' + e.message + ')');
    }
    redrawAll();
    // a steady once a second, however long the answer took
    setTimeout(pollEngine, Math.max(0, sent + ENGINE_POLL_MS - Date.now()));
  }

  async function pollStats() {
    let delay = STATS_POLL_MS;
    const asked = statsWindow;
    try {
      const r = await fetchJson('/v1/stats?window=' + asked + '&minutes=' + MINUTES);
      if (asked !== statsWindow) {
        delay = 0;   // the window size changed while this was under way: ask again for the new one
      } else if (r.status === 200 && r.body && Array.isArray(r.body.windows)) {
        statsWindows = completedWindows(r.body.windows);
        document.getElementById('model').textContent = 'model: ' + (r.body.model || '?');
        statsEmptyText = 'no completed ' + statsWindow + ' window yet';
        setBadge('stats-status', statsWindows.length ? 'ok' : 'wait',
          'stats: ' + statsWindows.length + (statsWindows.length === 1 ? ' window' : ' windows') + ' of ' + statsWindow);
      } else if (r.status === 503) {
        // the latency store is not queryable yet (starting, rebalancing): keep what is plotted
        statsEmptyText = 'waiting for stats';
        setBadge('stats-status', 'wait', 'stats: waiting for stats (' + describe(r) + ')');
        const retry = Number(r.retryAfter);
        if (retry > 0) {
          delay = Math.min(MAX_RETRY_AFTER_MS, Math.max(STATS_POLL_MS, retry * 1000));
        }
      } else {
        statsEmptyText = 'stats unavailable: ' + describe(r);
        setBadge('stats-status', 'error', 'stats: ' + describe(r));
      }
    } catch (e) {
      statsEmptyText = 'stats unreachable';
      setBadge('stats-status', 'error', 'stats: unreachable (' + e.message + ')');
    }
    redrawAll();
    setTimeout(pollStats, delay);
  }

  /** Windows that had ended on the server's clock when it answered: an open one is still filling up. */
  function completedWindows(windows) {
    const serverNow = Date.now() + clockOffsetMs;
    return windows.filter(w => Date.parse(w.end) <= serverNow);
  }

  async function fetchJson(url) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), FETCH_TIMEOUT_MS);
    try {
      const r = await fetch(url, { cache: 'no-store', signal: abort.signal, headers: { Accept: 'application/json' } });
      let body = null;
      try {
        body = await r.json();
      } catch (notJson) {
        body = null;
      }
      return { status: r.status, body: body, retryAfter: r.headers.get('Retry-After') };
    } finally {
      clearTimeout(timer);
    }
  }

  function describe(r) {
    const message = r.body && r.body.error && r.body.error.message;
    return 'HTTP ' + r.status + (message ? ': ' + message : '');
  }

  // ---------------------------------------------------------------------------------------------
  // what is on the page
  // ---------------------------------------------------------------------------------------------

  function redrawAll() {
    const now = Date.now();
    // one missing window (no traffic then) already breaks the line rather than bridging it
    const statsGapMs = 1.5 * WINDOW_MS[statsWindow];
    const stats = statsWindows.map(w => ({
      t: Date.parse(w.end) - clockOffsetMs,
      ttft: w.ttftMs ? [w.ttftMs.p50, w.ttftMs.p99] : [null, null],
      itl: w.itlMs ? [w.itlMs.p50, w.itlMs.p99] : [null, null],
      tps: [w.tokensPerSecond]
    }));
    charts.ttft.draw(stats.map(s => ({ t: s.t, values: s.ttft })), now, statsGapMs, statsEmptyText);
    charts.itl.draw(stats.map(s => ({ t: s.t, values: s.itl })), now, statsGapMs, statsEmptyText);
    charts.tps.draw(stats.map(s => ({ t: s.t, values: s.tps })), now, statsGapMs, statsEmptyText);

    const engineGapMs = 3 * ENGINE_POLL_MS;
    charts.batch.draw(engineSamples.map(e => ({ t: e.t, values: [e.snap.batchSize, e.snap.running, e.snap.waiting] })),
      now, engineGapMs, 'waiting for the engine');
    charts.kv.draw(engineSamples.map(e => ({ t: e.t, values: [percent(e.snap.kvBlocksUsed, e.snap.kvBlocksTotal),
      percent(e.snap.kvBlocksCached, e.snap.kvBlocksTotal)] })), now, engineGapMs, 'waiting for the engine');
  }

  function showTiles(s) {
    document.getElementById('model').textContent = 'model: ' + s.model;
    setText('tile-state', s.state);
    setText('tile-running', s.running);
    setText('tile-waiting', s.waiting);
    setText('tile-batch', s.batchSize);
    const used = percent(s.kvBlocksUsed, s.kvBlocksTotal);
    setText('tile-kv', s.kvBlocksUsed + ' / ' + s.kvBlocksTotal + (used === null ? '' : ' (' + formatNumber(used) + '%)'));
    setText('tile-kv-cached', s.kvBlocksCached);
    setText('kv-total', 'pool of ' + s.kvBlocksTotal + ' blocks');
    setText('tile-prompt', s.promptTokens.toLocaleString('en-US'));
    setText('tile-generated', s.generatedTokens.toLocaleString('en-US'));
    setText('tile-preemptions', s.preemptions);
    setText('tile-steps', s.steps.toLocaleString('en-US'));
    setText('tile-vision', formatBytes(s.visionCacheBytes));
  }

  function setText(id, value) {
    document.getElementById(id).textContent = String(value);
  }

  function setBadge(id, state, text) {
    const el = document.getElementById(id);
    el.dataset.state = state;
    el.textContent = text;
  }

  // ---------------------------------------------------------------------------------------------
  // the chart
  // ---------------------------------------------------------------------------------------------

  /**
   * A time-series line chart over the last SPAN_MS: y from 0, one line per series (units are in
   * the caption), gaps left open. A sample is {t: page clock ms, values: one per series or null}.
   */
  function LineChart(canvasId, series) {
    this.canvas = document.getElementById(canvasId);
    this.series = series;
  }

  LineChart.prototype.draw = function (samples, now, maxGapMs, emptyText) {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth || 420;
    const h = c.clientHeight || 210;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);

    const x0 = now - SPAN_MS;
    // samples without any value stay in, so that they break the lines, but are not counted as plotted
    const visible = samples.filter(s => s.t >= x0 && s.t <= now);
    c.dataset.points = String(visible.filter(s => s.values.some(isNumber)).length);

    const area = { left: 56, right: w - 12, top: 28, bottom: h - 24 };
    let max = 0;
    visible.forEach(s => s.values.forEach(v => { if (isNumber(v)) max = Math.max(max, v); }));
    const yTicks = niceTicks(max);
    const yMax = yTicks[yTicks.length - 1];
    const X = t => area.left + (t - x0) / SPAN_MS * (area.right - area.left);
    const Y = v => area.bottom - v / yMax * (area.bottom - area.top);

    drawAxes(ctx, area, x0, now, yTicks, X, Y);
    this.series.forEach((s, i) => drawSeries(ctx, visible, i, s, maxGapMs, X, Y));
    drawLegend(ctx, area, this.series, visible);
    if (c.dataset.points === '0') {
      ctx.fillStyle = '#67727e';
      ctx.font = '14px sans-serif';
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(emptyText, (area.left + area.right) / 2, (area.top + area.bottom) / 2);
    }
  };

  function drawAxes(ctx, area, x0, x1, yTicks, X, Y) {
    ctx.font = '11px sans-serif';
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#e5e8ec';
    ctx.fillStyle = '#67727e';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const step = yTicks.length > 1 ? yTicks[1] - yTicks[0] : 1;
    yTicks.forEach(v => {
      const y = Math.round(Y(v)) + 0.5;
      line(ctx, area.left, y, area.right, y);
      ctx.fillText(formatNumber(v, step), area.left - 6, y);
    });
    const xStep = timeStep(x1 - x0);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let t = Math.ceil(x0 / xStep) * xStep; t <= x1; t += xStep) {
      const x = Math.round(X(t)) + 0.5;
      line(ctx, x, area.top, x, area.bottom);
      ctx.fillText(clock(t, xStep < 60000), x, area.bottom + 6);
    }
    ctx.strokeStyle = '#9aa3ad';
    line(ctx, area.left + 0.5, area.top, area.left + 0.5, area.bottom);
    line(ctx, area.left, area.bottom + 0.5, area.right, area.bottom + 0.5);
  }

  /** One series as runs of points: a missing value or a gap longer than maxGapMs starts a new run. */
  function drawSeries(ctx, samples, index, series, maxGapMs, X, Y) {
    ctx.strokeStyle = series.color;
    ctx.fillStyle = series.color;
    ctx.lineWidth = 1.75;
    ctx.setLineDash(series.dash || []);
    const dots = samples.length <= 60;   // sparse windows read better with their points marked
    let run = [];
    const flush = () => {
      if (run.length > 1) {
        ctx.beginPath();
        run.forEach((p, k) => (k === 0 ? ctx.moveTo(p[0], p[1]) : ctx.lineTo(p[0], p[1])));
        ctx.stroke();
      }
      if (dots || run.length === 1) {
        run.forEach(p => {
          ctx.beginPath();
          ctx.arc(p[0], p[1], 2.5, 0, 2 * Math.PI);
          ctx.fill();
        });
      }
      run = [];
    };
    let lastT = null;
    samples.forEach(s => {
      const v = s.values[index];
      if (!isNumber(v) || (lastT !== null && s.t - lastT > maxGapMs)) {
        flush();
      }
      if (isNumber(v)) {
        run.push([X(s.t), Y(v)]);
        lastT = s.t;
      }
    });
    flush();
    ctx.setLineDash([]);
  }

  function drawLegend(ctx, area, series, samples) {
    ctx.font = '12px sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    let x = area.left;
    const y = 11;
    series.forEach((s, i) => {
      const last = lastValue(samples, i);
      const label = s.name + (last === null ? '' : ' ' + formatNumber(last));
      ctx.strokeStyle = s.color;
      ctx.lineWidth = 2.5;
      ctx.setLineDash(s.dash || []);
      line(ctx, x, y, x + 18, y);
      ctx.setLineDash([]);
      ctx.fillStyle = '#1f2933';
      ctx.fillText(label, x + 24, y);
      x += 24 + ctx.measureText(label).width + 18;
    });
  }

  function lastValue(samples, index) {
    for (let k = samples.length - 1; k >= 0; k--) {
      if (isNumber(samples[k].values[index])) {
        return samples[k].values[index];
      }
    }
    return null;
  }

  function line(ctx, xa, ya, xb, yb) {
    ctx.beginPath();
    ctx.moveTo(xa, ya);
    ctx.lineTo(xb, yb);
    ctx.stroke();
  }

  /** 0 and 3 to 6 round steps (1, 2 or 5 times a power of ten) up to at least max. */
  function niceTicks(max) {
    const top = max > 0 ? max : 1;
    const raw = top / 4;
    const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    const norm = raw / magnitude;
    const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * magnitude;
    const ticks = [];
    for (let k = 0; k * step < top + step * 1e-9; k++) {
      ticks.push(k * step);
    }
    ticks.push(ticks.length * step);   // headroom above the highest point
    return ticks;
  }

  /** The smallest round time step that puts at most 6 ticks on the axis. */
  function timeStep(span) {
    const steps = [5e3, 10e3, 15e3, 30e3, 60e3, 120e3, 300e3, 600e3, 900e3, 1800e3, 3600e3];
    return steps.find(s => span / s <= 6) || 3600e3;
  }

  function clock(t, seconds) {
    const d = new Date(t);
    const two = n => String(n).padStart(2, '0');
    return two(d.getHours()) + ':' + two(d.getMinutes()) + (seconds ? ':' + two(d.getSeconds()) : '');
  }

  /** Axis labels with as many decimals as their step needs; values with about 3 significant digits. */
  function formatNumber(v, step) {
    if (step !== undefined) {
      return v.toFixed(step >= 1 ? 0 : Math.ceil(-Math.log10(step) - 1e-9));
    }
    if (Number.isInteger(v)) {
      return String(v);
    }
    const a = Math.abs(v);
    return v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2);
  }

  function formatBytes(n) {
    const units = ['B', 'KiB', 'MiB', 'GiB'];
    let k = 0;
    while (n >= 1024 && k < units.length - 1) {
      n /= 1024;
      k++;
    }
    return (k === 0 ? n : n.toFixed(1)) + ' ' + units[k];
  }

  /** part of whole in percent; null for an empty pool (before the engine's first step) */
  function percent(part, whole) {
    return whole > 0 ? 100 * part / whole : null;
  }

  function isNumber(v) {
    return typeof v === 'number' && Number.isFinite(v);
  }

  function clampInt(text, lo, hi, fallback) {
    const n = parseInt(text, 10);
    return Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : fallback;
  }

  // ---------------------------------------------------------------------------------------------
  // start
  // ---------------------------------------------------------------------------------------------

  document.getElementById('span-minutes').textContent = String(MINUTES);
  const select = document.getElementById('stats-window');
  select.value = statsWindow;
  select.addEventListener('change', () => {
    // the next poll asks for the new window size; drop the old one's points so the two never mix
    statsWindow = select.value;
    statsWindows = [];
    statsEmptyText = 'loading ' + statsWindow + ' windows…';
    redrawAll();
  });
  window.addEventListener('resize', redrawAll);
  // slides the time axis along even while no answers arrive
  setInterval(redrawAll, 1000);
  redrawAll();
  pollEngine();
  pollStats();
})();
