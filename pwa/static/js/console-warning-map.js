/**
 * A warning's areas, drawn on the console map with Leaflet alone (no drawing
 * plugin): circles placed with a click on the map (or at its centre) and
 * moved or sized with handles; polygons clicked corner by corner and closed
 * with a double click, "finish" or a click on the first corner, their
 * corners dragged, or removed with a click; 구 and 동 drawn from their
 * boundaries. The list under the map (console-warning-area-list.js) holds
 * the same areas as numbers and names, and the picker
 * (console-warning-places.js) adds 구 and 동.
 *
 * areas() is what the API takes: {circles: [{lat, lon, radius_m}],
 * polygons: [[[lon, lat], …closed]], geocodes: ["1129061000"]}.
 */

import { clearText } from "./console-format.js";
import { lazyMap } from "./console-map.js";
import { clampRadius, createAreaList } from "./console-warning-area-list.js";
import { formatRadius } from "./console-warning-format.js";
import { createPlaces } from "./console-warning-places.js";
import { find, findAll } from "./dom.js";
import { setText, t } from "./i18n.js";

const L = window.L;
const DEFAULT_RADIUS = 500;
const SAME_POINT_PX = 6; // a click this close to the last corner is the first half of a double click
const M_PER_DEG = 111_320;
const STYLE = {
  circle: { color: "#ffc53d", weight: 2, fillOpacity: 0.15 },
  polygon: { color: "#ff8a96", weight: 2, fillOpacity: 0.15 },
  geocode: { color: "#8ccbff", weight: 2, fillOpacity: 0.12 },
};

const round6 = (n) => Math.round(n * 1e6) / 1e6;

/** A small draggable dot on the map (mouse only: the list holds the same numbers for the keyboard). */
function handle(latlng, kind, title) {
  const dot = document.createElement("span");
  dot.className = `draw-handle draw-handle-${kind}`;
  return L.marker(latlng, {
    icon: L.divIcon({ html: dot, className: "draw-handle-icon", iconSize: [18, 18], iconAnchor: [9, 9] }),
    draggable: true,
    keyboard: false,
    title,
    zIndexOffset: 500,
  });
}

function edgeOf(circle) {
  return [circle.lat, circle.lon + circle.radius_m / (M_PER_DEG * Math.cos((circle.lat * Math.PI) / 180))];
}

/** The areas card in root: tools, map, list and picker. onChange(areas) after every change. */
export function createAreaEditor(root, { onChange }) {
  const container = find("[data-warning-map]", root);
  const hint = find("[data-draw-hint]", root);
  const tools = find("[data-draw-tools]", root);
  const finishButton = find("[data-draw-finish]", root);
  const undoButton = find("[data-draw-undo]", root);
  const lazy = lazyMap(container);

  const state = { circles: [], polygons: [], geocodes: [] }; // polygons: open rings of [lat, lon]
  let drawing = null; // the polygon being drawn: [lat, lon] corners
  let mode = null; // "circle" | "polygon" | null
  let editable = true;
  let fitPending = false;
  let lastRadius = DEFAULT_RADIUS;
  let home = null; // where the map opened: a warning with no areas starts there

  const announce = (key, vars) => setText(hint, key, vars);
  const changed = () => onChange(areas());
  const places = createPlaces(root, { onPick: pick, onNothing: announce });
  const list = createAreaList(root, {
    nameOf: places.name,
    onEdit(circle) {
      lastRadius = circle.radius_m;
      redraw();
      changed();
    },
    onRemove() {
      redraw();
      renderList();
      changed();
      find("[data-draw]", root).focus(); // the removed area's button is gone; the tools are next to the list
    },
  });
  const renderList = () => list.render(state, { editable });

  function areas() {
    return {
      circles: state.circles.map((c) => ({ lat: round6(c.lat), lon: round6(c.lon), radius_m: c.radius_m })),
      polygons: state.polygons.map((ring) => [...ring, ring[0]].map(([lat, lon]) => [round6(lon), round6(lat)])),
      geocodes: [...state.geocodes],
    };
  }

  // ---- what the map shows ----

  function fit() {
    const { map, layers } = lazy.view;
    const bounds = layers.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [28, 28], maxZoom: 16 });
    else if (!state.geocodes.length) map.setView(home.center, home.zoom);
    fitPending = state.geocodes.some((code) => !places.shape(code)); // again once their boundaries are in
  }

  function drawCircle(circle, index) {
    const { map, layers } = lazy.view;
    const shape = L.circle([circle.lat, circle.lon], { radius: circle.radius_m, interactive: false, className: "warning-area warning-circle", ...STYLE.circle });
    layers.addLayer(shape);
    if (!editable) return;
    const centre = handle([circle.lat, circle.lon], "centre", t("console.warnings.draw.move_circle", { n: index + 1 }));
    const edge = handle(edgeOf(circle), "edge", t("console.warnings.draw.resize_circle", { n: index + 1 }));
    centre.on("drag", () => {
      const at = centre.getLatLng();
      Object.assign(circle, { lat: at.lat, lon: at.lng });
      shape.setLatLng(at);
      edge.setLatLng(edgeOf(circle));
      list.syncCircle(index);
    });
    edge.on("drag", () => {
      circle.radius_m = lastRadius = clampRadius(map.distance(shape.getLatLng(), edge.getLatLng()));
      shape.setRadius(circle.radius_m);
      list.syncCircle(index);
    });
    for (const marker of [centre, edge]) {
      marker.on("dragend", () => {
        redraw(); // the edge handle back on the edge
        changed();
      });
      layers.addLayer(marker);
    }
  }

  /** A ring's corners as handles: dragged to move, clicked to remove (or, on a ring being drawn, to close it). */
  function corners(ring, line, { drawingNow }) {
    ring.forEach((point, v) => {
      const closes = drawingNow && v === 0 && ring.length >= 3;
      const title = closes ? "console.warnings.draw.close_here" : drawingNow ? "console.warnings.draw.remove_point" : "console.warnings.draw.vertex";
      const corner = handle(point, closes ? "first" : "vertex", t(title));
      corner.on("drag", () => {
        const at = corner.getLatLng();
        ring[v] = [at.lat, at.lng];
        line.setLatLngs(ring);
      });
      if (!drawingNow) corner.on("dragend", changed);
      corner.on("click", () => {
        if (closes) return finishPolygon();
        if (!drawingNow && ring.length <= 3) return announce("console.warnings.draw.min_vertices");
        ring.splice(v, 1);
        if (drawingNow) return drawingChanged();
        redraw();
        renderList();
        changed();
      });
      lazy.view.layers.addLayer(corner);
    });
  }

  function drawArea(code) {
    const geometry = places.shape(code);
    if (geometry) {
      lazy.view.layers.addLayer(L.geoJSON(geometry, { interactive: false, className: "warning-area warning-geocode", style: () => STYLE.geocode }));
      return;
    }
    places
      .loadShape(code)
      .then(() => {
        if (!state.geocodes.includes(code) || !places.shape(code)) return;
        redraw();
        if (fitPending) fit();
      })
      .catch((error) => console.warn("warnings: no boundary for", code, error));
  }

  function redraw() {
    const layers = lazy.view?.layers;
    if (!layers) return;
    layers.clearLayers();
    state.circles.forEach(drawCircle);
    for (const ring of state.polygons) {
      const shape = L.polygon(ring, { interactive: false, className: "warning-area warning-polygon", ...STYLE.polygon });
      layers.addLayer(shape);
      if (editable) corners(ring, shape, { drawingNow: false });
    }
    state.geocodes.forEach(drawArea);
    if (drawing) {
      const line = L.polyline(drawing, { interactive: false, color: "#ffffff", weight: 2, dashArray: "6 6", className: "warning-drawing" });
      layers.addLayer(line);
      corners(drawing, line, { drawingNow: true });
    }
  }

  // ---- drawing ----

  function setMode(next) {
    mode = next;
    drawing = mode === "polygon" ? [] : null;
    for (const button of findAll("[data-draw]", root)) button.setAttribute("aria-pressed", String(button.dataset.draw === mode));
    find("[data-draw-circle-extra]", root).hidden = mode !== "circle";
    find("[data-draw-polygon-extra]", root).hidden = mode !== "polygon";
    container.classList.toggle("map-drawing", Boolean(mode));
    const map = lazy.view?.map;
    if (map) mode === "polygon" ? map.doubleClickZoom.disable() : map.doubleClickZoom.enable();
    if (mode) announce(`console.warnings.draw.hint_${mode}`);
    drawingChanged({ quiet: true });
  }

  function drawingChanged({ quiet = false } = {}) {
    finishButton.disabled = !drawing || drawing.length < 3;
    undoButton.disabled = !drawing?.length;
    if (drawing && !quiet) announce("console.warnings.draw.points", { n: drawing.length });
    redraw();
  }

  function added(key, vars) {
    setMode(null);
    renderList();
    changed();
    announce(key, vars);
  }

  function addCircle(latlng) {
    state.circles.push({ lat: latlng.lat, lon: latlng.lng, radius_m: lastRadius });
    added("console.warnings.draw.circle_added", { n: state.circles.length, radius: formatRadius(lastRadius) });
  }

  function addCorner(event) {
    const last = drawing.at(-1);
    if (last && lazy.view.map.latLngToContainerPoint(last).distanceTo(event.containerPoint) < SAME_POINT_PX) return;
    drawing.push([event.latlng.lat, event.latlng.lng]);
    drawingChanged();
  }

  function finishPolygon() {
    if (!drawing || drawing.length < 3) return announce("console.warnings.draw.min_vertices");
    state.polygons.push(drawing);
    added("console.warnings.draw.polygon_added", { n: state.polygons.length });
  }

  function pick(code) {
    const name = places.name(code);
    if (state.geocodes.includes(code)) return announce("console.warnings.area.already", { name });
    state.geocodes.push(code);
    fitPending = true;
    added("console.warnings.area.added", { name });
  }

  function wireMap(map) {
    map.on("click", (event) => {
      if (!editable) return;
      if (mode === "circle") addCircle(event.latlng);
      else if (mode === "polygon") addCorner(event);
    });
    map.on("dblclick", () => mode === "polygon" && finishPolygon());
    container.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && mode) setMode(null);
    });
  }

  for (const button of findAll("[data-draw]", root)) {
    button.addEventListener("click", () => setMode(mode === button.dataset.draw ? null : button.dataset.draw));
  }
  find("[data-draw-centre]", root).addEventListener("click", () => {
    if (!lazy.view) return;
    addCircle(lazy.view.map.getCenter());
    list.lastCircleInput()?.focus();
  });
  finishButton.addEventListener("click", finishPolygon);
  undoButton.addEventListener("click", () => {
    drawing?.pop();
    drawingChanged();
  });
  find("[data-draw-abandon]", root).addEventListener("click", () => setMode(null));

  return {
    areas,
    /** Make the map (once its card is on view) and draw what is set. */
    async open() {
      places.load().then(renderList); // names for the codes already listed
      const view = await lazy.make();
      if (!home) {
        home = { center: view.map.getCenter(), zoom: view.map.getZoom() };
        wireMap(view.map);
      }
      view.map.invalidateSize();
      redraw();
      if (fitPending) fit();
    },
    /** Show these areas (the API's shape), framing the map on them. */
    set(next) {
      state.circles = (next?.circles ?? []).map((c) => ({ lat: c.lat, lon: c.lon, radius_m: c.radius_m }));
      state.polygons = (next?.polygons ?? []).map((ring) => {
        const [first, last] = [ring[0], ring.at(-1)];
        const open = ring.length > 1 && first[0] === last[0] && first[1] === last[1] ? ring.slice(0, -1) : ring;
        return open.map(([lon, lat]) => [lat, lon]);
      });
      state.geocodes = [...(next?.geocodes ?? [])];
      lastRadius = state.circles.at(-1)?.radius_m ?? DEFAULT_RADIUS;
      fitPending = true;
      setMode(null);
      clearText(hint);
      renderList();
      if (lazy.view && home) fit();
    },
    setEditable(flag) {
      if (flag === editable) return; // (redrawing the list would take the focus from an input being typed in)
      editable = flag;
      tools.hidden = !flag;
      if (!flag) setMode(null);
      places.setShown(flag);
      renderList();
      redraw();
    },
    relabel() {
      lazy.view?.relabel();
      places.relabel();
      renderList();
      redraw();
    },
  };
}
