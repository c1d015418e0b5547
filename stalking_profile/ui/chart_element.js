// A chart that stays on the page between reruns (chart_element.py). Streamlit calls this
// function with the same parentElement (the chart's shadow root) each time the chart's data
// change: the new figure is drawn into the same element with Plotly.react, once.

const loaded = {};

function plotlyFrom(address) {
  // Plotly's own code, fetched once a page and shared by every chart
  if (!loaded[address]) {
    loaded[address] = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = address;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        delete loaded[address];
        reject(new Error(`The chart's drawing code (${address}) could not be loaded.`));
      };
      document.head.appendChild(script);
    });
  }
  return loaded[address];
}

function boxOf(host) {
  return host.getRootNode().host; // the shadow root's element: the column's width
}

function sizeOf(host, figure) {
  // the column's width and the figure's height (Plotly's 450 px if it sets none), as
  // st.plotly_chart sizes a chart; the screen's in fullscreen
  const full = document.fullscreenElement === boxOf(host);
  return {
    width: full ? window.innerWidth : boxOf(host).clientWidth,
    height: full ? window.innerHeight : (figure.layout.height ?? 450),
  };
}

function adoptPlotlyStyles(root) {
  // Plotly writes its styles (toolbar, hover, cursors) into the document's head, which does
  // not reach into a shadow root: a copy is adopted there, renewed when Plotly adds to them
  const rules = [...document.querySelectorAll('style[id^="plotly.js-style"]')]
    .flatMap((style) => [...(style.sheet?.cssRules ?? [])].map((rule) => rule.cssText))
    .join("\n");
  if (root.plotlyRules !== rules) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(rules);
    root.adoptedStyleSheets = [sheet];
    root.plotlyRules = rules;
  }
}

async function drawLatest(host) {
  // one draw at a time, of the newest figure (figures that arrive during a draw are folded)
  const Plotly = await plotlyFrom(host.plotlyAddress);
  while (host.wanted !== host.drawn) {
    const wanted = host.wanted;
    const { figure, config } = wanted;
    await Plotly.react(host, figure.data, { ...figure.layout, ...sizeOf(host, figure) }, config);
    adoptPlotlyStyles(host.getRootNode());
    host.drawn = wanted;
    host.dataset.drawn = wanted.revision;
    host.dataset.drawnAt = String(performance.now());
  }
}

const FULLSCREEN_ICON = {
  width: 448,
  height: 512,
  path:
    "M32 32C14.3 32 0 46.3 0 64v96c0 17.7 14.3 32 32 32s32-14.3 32-32V96h64c17.7 0 " +
    "32-14.3 32-32s-14.3-32-32-32H32zM64 352c0-17.7-14.3-32-32-32s-32 14.3-32 32v96c0 " +
    "17.7 14.3 32 32 32h96c17.7 0 32-14.3 32-32s-14.3-32-32-32H64V352zM320 32c-17.7 " +
    "0-32 14.3-32 32s14.3 32 32 32h64v64c0 17.7 14.3 32 32 32s32-14.3 32-32V64c0-17.7-" +
    "14.3-32-32-32H320zM448 352c0-17.7-14.3-32-32-32s-32 14.3-32 32v64H320c-17.7 0-32 " +
    "14.3-32 32s14.3 32 32 32h96c17.7 0 32-14.3 32-32V352z",
};

function fullscreenButton(host) {
  return {
    name: "Fullscreen",
    title: "Fullscreen",
    icon: FULLSCREEN_ICON,
    click: () =>
      document.fullscreenElement === boxOf(host)
        ? document.exitFullscreen()
        : boxOf(host).requestFullscreen(),
  };
}

function resized(host) {
  // not a chart on its way out of the page (a tab left): it has no width to draw at
  const shown = host.isConnected && host._fullLayout && boxOf(host).clientWidth > 0;
  if (host.drawn && window.Plotly && shown) {
    window.Plotly.relayout(host, sizeOf(host, host.drawn.figure));
  }
}

function mounted(parentElement) {
  // the chart's element, made on the first call and kept for every later one
  let host = parentElement.querySelector(".chart-element");
  if (host) {
    return host;
  }
  host = document.createElement("div");
  host.className = "chart-element";
  parentElement.appendChild(host);
  const box = boxOf(host);
  let width = box.clientWidth;
  host.watcher = new ResizeObserver(() => {
    if (box.clientWidth !== width) {
      width = box.clientWidth;
      resized(host);
    }
  });
  host.watcher.observe(box);
  box.onfullscreenchange = () => resized(host);
  return host;
}

export default function (component) {
  const { data, parentElement } = component;
  const host = mounted(parentElement);
  const sent = JSON.parse(new TextDecoder().decode(data));
  const config = { ...sent.config, modeBarButtonsToAdd: [fullscreenButton(host)] };
  host.plotlyAddress = sent.plotly;
  host.wanted = { figure: sent.figure, config, revision: sent.revision };
  host.dataset.wanted = sent.revision;
  host.drawing = (host.drawing ?? Promise.resolve())
    .then(() => drawLatest(host))
    .catch((error) => {
      host.textContent = error.message;
      host.dataset.failed = "true";
    });
  return () => {
    host.watcher.disconnect();
    window.Plotly?.purge(host);
  };
}
