// The status page: reads the switch's status JSON twice a second and draws it. Plain DOM, no
// framework, no third-party host. Everything a node reports is written with textContent, never
// parsed as HTML. The admin token lives in its input field only and goes out as a bearer header.
'use strict';

(() => {
  const POLL_MS = 500;
  const WINDOW_MS = 5 * 60 * 1000;
  const COLORS = ['#2563eb', '#d97706', '#059669', '#9333ea', '#dc2626', '#0891b2'];
  const SVG = 'http://www.w3.org/2000/svg';
  // The columns of the history table; any other field of a record is shown after its reason.
  const HISTORY_COLUMNS = ['atMs', 'type', 'nodeId', 'previousNodeId', 'epoch', 'reason'];

  /** nodeId -> [{t, lag}] for the last WINDOW_MS; lag null where the node was not a streaming secondary. */
  const lagSeries = new Map();
  const colors = new Map();
  let last = null;

  const $ = id => document.getElementById(id);

  function el(tag, className, ...children) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    for (const child of children) {
      element.append(child instanceof Node ? child : String(child));
    }
    return element;
  }

  function svg(tag, attributes) {
    const element = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    return element;
  }

  function time(ms) {
    return new Date(ms).toLocaleString(undefined, {hour12: false});
  }

  function bytes(n) {
    if (n < 0) return 'unknown';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
  }

  function colorOf(nodeId) {
    if (!colors.has(nodeId)) colors.set(nodeId, COLORS[colors.size % COLORS.length]);
    return colors.get(nodeId);
  }

  async function poll() {
    try {
      const response = await fetch('status', {cache: 'no-store'});
      if (!response.ok) throw new Error('HTTP ' + response.status);
      const status = await response.json();
      last = status;
      record(status, Date.now());
      render(status);
      $('freshness').textContent = 'updated ' + time(Date.now());
      $('freshness').className = 'muted';
    } catch (e) {
      $('freshness').textContent = 'cannot reach the switch (' + e.message + '); '
          + (last ? 'showing its last answer' : 'nothing to show yet');
      $('freshness').className = 'stale';
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  function record(status, now) {
    for (const m of status.members) {
      if (!lagSeries.has(m.nodeId)) lagSeries.set(m.nodeId, []);
      lagSeries.get(m.nodeId).push({t: now, lag: m.role === 'SECONDARY' && m.lagMs >= 0 ? m.lagMs : null});
    }
    for (const [nodeId, samples] of lagSeries) {
      while (samples.length && samples[0].t < now - WINDOW_MS) samples.shift();
      if (!samples.length) lagSeries.delete(nodeId);
    }
  }

  /** Redraws a part only when its data changed, so that an operator can select and copy text in it. */
  const shown = new Map();
  function changed(part, data) {
    const text = JSON.stringify(data);
    if (shown.get(part) === text) return false;
    shown.set(part, text);
    return true;
  }

  function render(status) {
    $('cluster').textContent = status.cluster;
    if (changed('topology', [status.primary, status.route, status.failover, status.settings])) renderTopology(status);
    if (changed('members', [status.members, status.route.nodeId])) renderMembers(status);
    if (changed('targets', [status.members.map(m => [m.nodeId, m.eligible]), status.primary])) renderTargets(status);
    drawChart(Date.now());
    if (changed('history', status.history)) {
      renderHistory(status.history);
      renderDrills(status.history.filter(h => h.type === 'DRILL'));
    }
  }

  function renderTopology(status) {
    const primary = $('primary');
    const p = status.primary;
    primary.textContent = p ? p.nodeId + ' · epoch ' + p.epoch + (p.live ? '' : ' (not live)') : 'none';
    primary.dataset.node = p ? p.nodeId : '';
    primary.dataset.epoch = p ? p.epoch : 0;
    primary.className = p && p.live ? 'ok' : 'alarm';
    const r = status.route;
    $('route').textContent = r.nodeId
        ? 'routes to ' + r.nodeId + ' (epoch ' + r.epoch + ')'
        : 'holds requests (' + r.reason + '), ' + r.heldRequests + ' waiting';
    $('route').className = r.nodeId ? 'ok' : 'alarm';
    $('zookeeper').textContent = r.zookeeper;
    $('zookeeper').className = r.zookeeper === 'CONNECTED' ? 'ok' : 'alarm';
    const warnings = [];
    if (status.failover && status.failover.blocked) warnings.push('Failover is blocked: ' + status.failover.blocked);
    if (status.settings && status.settings.failoverPaused) {
      warnings.push('Automatic failover is paused (' + (status.settings.pausedReason || 'no reason given') + ')');
    }
    $('banner').textContent = warnings.join(' · ');
    $('banner').hidden = warnings.length === 0;
  }

  function renderMembers(status) {
    const cards = status.members.map(m => {
      const rows = el('dl');
      const row = (term, value, className) => rows.append(el('dt', null, term), el('dd', className, value));
      row('health', m.healthy ? 'healthy' : 'unhealthy', m.healthy ? 'ok' : 'alarm');
      row('epoch', m.epoch);
      if (m.role === 'SECONDARY') row('lag', m.lagMs >= 0 ? m.lagMs + ' ms' : 'unknown');
      row('replication', m.replication.state + ' (' + m.replication.syncMode + ')',
          m.replication.state === 'FAILED' ? 'alarm' : null);
      if (m.replication.slotRetainedBytes >= 0) row('slot retains', bytes(m.replication.slotRetainedBytes));
      row('eligible', (m.eligible ? 'yes' : 'no') + (m.eligibility ? ': ' + m.eligibility : ''), m.eligible ? 'ok' : 'muted');
      row('tags', 'priority ' + m.priority + (m.nofailover ? ', nofailover' : ''));
      if (m.replication.error) row('error', m.replication.error, 'alarm');
      for (const alarm of m.replication.alarms) row('alarm', alarm, 'alarm');
      row('api', m.apiUrl);
      const title = el('h3', null, m.nodeId + ' ', el('span', 'role role-' + m.role, m.role));
      if (status.route.nodeId === m.nodeId) title.append(el('span', 'routed', 'traffic'));
      const card = el('article', 'member', title, rows);
      card.dataset.node = m.nodeId;
      card.dataset.role = m.role;
      return card;
    });
    $('members').replaceChildren(...(cards.length ? cards : [el('p', 'alarm', 'no member is registered')]));
  }

  function renderTargets(status) {
    const select = $('target');
    const chosen = select.value;
    const primary = status.primary ? status.primary.nodeId : null;
    const options = status.members.filter(m => m.nodeId !== primary).map(m => {
      const option = el('option', null, m.nodeId + (m.eligible ? '' : ' (not eligible)'));
      option.value = m.nodeId;
      return option;
    });
    select.replaceChildren(...options);
    if (options.some(o => o.value === chosen)) select.value = chosen;
  }

  function drawChart(now) {
    const chart = $('lag-chart');
    const width = 800, height = 200, left = 56, right = 8, top = 8, bottom = 22;
    let max = 10;
    for (const samples of lagSeries.values()) {
      for (const s of samples) if (s.lag !== null && s.lag > max) max = s.lag;
    }
    // four grid steps of 1, 2 or 5 times a power of ten
    const magnitude = Math.pow(10, Math.floor(Math.log10(max / 4)));
    const step = [1, 2, 5, 10].map(f => f * magnitude).find(s => 4 * s >= max);
    max = 4 * step;
    const x = t => left + (width - left - right) * (1 - (now - t) / WINDOW_MS);
    const y = lag => top + (height - top - bottom) * (1 - lag / max);
    const parts = [];
    for (let i = 0; i <= 4; i++) {
      const value = max * i / 4;
      parts.push(svg('line', {x1: left, x2: width - right, y1: y(value), y2: y(value), class: 'grid'}));
      const label = svg('text', {x: left - 6, y: y(value) + 4, 'text-anchor': 'end', class: 'axis'});
      label.textContent = value;
      parts.push(label);
    }
    for (let minute = 5; minute >= 0; minute--) {
      const anchor = minute === 5 ? 'start' : minute === 0 ? 'end' : 'middle';
      const label = svg('text', {x: x(now - minute * 60000), y: height - 6, 'text-anchor': anchor, class: 'axis'});
      label.textContent = minute ? '-' + minute + ' min' : 'now';
      parts.push(label);
    }
    const legend = [];
    for (const [nodeId, samples] of lagSeries) {
      if (!samples.some(s => s.lag !== null)) continue;
      // one polyline per unbroken run of samples: no line is drawn across a gap
      let run = [];
      const flush = () => {
        if (run.length) parts.push(svg('polyline', {points: run.join(' '), fill: 'none', stroke: colorOf(nodeId), 'stroke-width': 2}));
        run = [];
      };
      for (const s of samples) {
        if (s.lag === null) flush(); else run.push(x(s.t).toFixed(1) + ',' + y(s.lag).toFixed(1));
      }
      flush();
      const swatch = el('span', 'swatch');
      swatch.style.background = colorOf(nodeId);
      const current = samples[samples.length - 1].lag;
      legend.push(el('span', null, swatch, nodeId + (current === null ? '' : ': ' + current + ' ms')));
    }
    chart.replaceChildren(...parts);
    $('lag-legend').replaceChildren(...(legend.length ? legend : [el('span', 'muted', 'no streaming secondary')]));
  }

  /** The fields of a history record beyond the table's columns, as "key value" text. */
  function extras(record) {
    return Object.entries(record).filter(([key]) => !HISTORY_COLUMNS.includes(key))
        .map(([key, value]) => key + ' ' + (value !== null && typeof value === 'object' ? JSON.stringify(value) : value));
  }

  function renderHistory(history) {
    const rows = history.map(h => {
      const reason = [h.reason].concat(extras(h)).filter(Boolean).join(' · ');
      return el('tr', null, el('td', null, time(h.atMs)), el('td', 'event event-' + h.type, h.type),
          el('td', null, h.nodeId || ''), el('td', null, h.previousNodeId || ''), el('td', null, h.epoch),
          el('td', null, reason));
    });
    $('history').replaceChildren(...(rows.length ? rows
        : [el('tr', null, el('td', 'muted', 'nothing recorded yet'))]));
  }

  /** Each drill record with every field it carries, whatever the drill wrote: one level of nesting is opened. */
  function renderDrills(drills) {
    const cards = drills.map(d => {
      const rows = el('dl');
      const flat = [];
      for (const [key, value] of Object.entries(d)) {
        if (key === 'type' || key === 'atMs') continue;
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          for (const [inner, v] of Object.entries(value)) flat.push([inner, v]);
        } else {
          flat.push([key, value]);
        }
      }
      for (const [key, value] of flat) {
        if (value === null || value === '') continue;
        rows.append(el('dt', null, key), el('dd', null, typeof value === 'object' ? JSON.stringify(value) : value));
      }
      return el('article', 'drill', el('h3', null, 'Drill · ' + time(d.atMs)), rows);
    });
    $('drills').replaceChildren(...(cards.length ? cards : [el('p', 'muted', 'no drill in the recent history')]));
  }

  async function act(action, body) {
    const token = $('token').value.trim();
    const result = $('action-result');
    if (!token) {
      result.textContent = 'Enter the admin token first.';
      result.className = 'alarm';
      return;
    }
    body.expectedEpoch = last && last.primary ? last.primary.epoch : 0;
    body.reason = 'from the status page';
    result.textContent = action + '…';
    result.className = 'muted';
    try {
      const response = await fetch(action, {
        method: 'POST', cache: 'no-store', body: JSON.stringify(body),
        headers: {'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json'}
      });
      const answer = await response.json().catch(() => ({}));
      if (response.ok) {
        result.textContent = action + ' accepted (command ' + answer.command.id + '): the nodes carry it out; '
            + 'the history below shows the outcome.';
        result.className = 'ok';
      } else {
        result.textContent = action + ' refused: ' + response.status + ' ' + (answer.error || '') + ': ' + (answer.message || '');
        result.className = 'alarm';
      }
    } catch (e) {
      result.textContent = action + ' was not sent: ' + e.message;
      result.className = 'alarm';
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('switchover').addEventListener('click', () => act('switchover', {to: $('target').value}));
    $('pause').addEventListener('click', () => act('pause', {}));
    $('resume').addEventListener('click', () => act('resume', {}));
    poll();
  });
})();
