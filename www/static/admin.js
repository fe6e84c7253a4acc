/* admin.js: optional conveniences for the moderation queue. Everything
   works without it (the CSP forbids inline script, so this is the only
   script). "Tick all on this page" ticks the boxes here instead of loading
   the page again; and keys: j / k go to the next / previous comment (its
   first button), x ticks it, a / s / t press its Approve, Spam or Trash. */
(function () {
  'use strict';
  var boxes = function () {
    return document.querySelectorAll('input[type=checkbox][form=bulk]');
  };
  var toggle = document.querySelector('.admin-tick-all');
  if (toggle) {
    toggle.addEventListener('click', function (e) {
      var all = boxes(), tick = false;
      for (var i = 0; i < all.length; i++) if (!all[i].checked) tick = true;
      for (var j = 0; j < all.length; j++) all[j].checked = tick;
      toggle.textContent = tick ? 'Untick all' : 'Tick all on this page';
      e.preventDefault();
    });
  }
  var rows = document.querySelectorAll('.admin-comment');
  var current = function () {
    var el = document.activeElement;
    return el && el.closest ? el.closest('.admin-comment') : null;
  };
  var index = function (row) {
    return Array.prototype.indexOf.call(rows, row);
  };
  var press = function (row, action) {
    var b = row && row.querySelector('button[value=' + action + ']');
    if (b) b.click();
  };
  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey || !rows.length ||
        (t && /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) && t.type !== 'checkbox'))
      return;
    var row = current(), i = row ? index(row) : -1;
    if (e.key === 'j' || e.key === 'k') {
      var next = rows[Math.max(0, Math.min(rows.length - 1, i + (e.key === 'j' ? 1 : -1)))];
      var first = next.querySelector('button');
      if (first) first.focus();
    } else if (e.key === 'x' && row) {
      var box = row.querySelector('input[type=checkbox]');
      if (box) box.checked = !box.checked;
    } else if (row && (e.key === 'a' || e.key === 's' || e.key === 't')) {
      press(row, { a: 'approve', s: 'spam', t: 'trash' }[e.key]);
    } else {
      return;
    }
    e.preventDefault();
  });
})();
