/**
 * PAGE_SCRIPT adds comfort to a report that works without it: expand/collapse all and a path
 * filter for each file tree, and opening a layer when its chart bar is followed. Plain ES2017,
 * no globals left behind, nothing fetched.
 */
export const PAGE_SCRIPT = `
(function(){
  function each(list, fn){ Array.prototype.forEach.call(list, fn); }
  each(document.querySelectorAll('[data-tree-tools]'), function(tools){
    var scope = tools.parentElement;
    tools.querySelector('[data-expand]').addEventListener('click', function(){
      each(scope.querySelectorAll('ul.tree details'), function(d){ d.open = true; });
    });
    tools.querySelector('[data-collapse]').addEventListener('click', function(){
      each(scope.querySelectorAll('ul.tree details'), function(d){ d.open = false; });
    });
    var input = tools.querySelector('input[type=search]');
    input.addEventListener('input', function(){
      var q = input.value.trim().toLowerCase();
      each(scope.querySelectorAll('ul.tree li.node'), function(li){
        var text = li.getAttribute('data-path') || '';
        var match = q === '' || text.indexOf(q) >= 0 || li.querySelector('li.node[data-path*="' + CSS.escape(q) + '"]') !== null;
        li.classList.toggle('hide', !match);
        if (q !== '' && match) { var d = li.querySelector(':scope > details'); if (d) d.open = true; }
      });
    });
  });
  function openTarget(){
    var id = location.hash.slice(1);
    var el = id ? document.getElementById(id) : null;
    if (el && el.tagName === 'DETAILS') el.open = true;
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
})();
`;
