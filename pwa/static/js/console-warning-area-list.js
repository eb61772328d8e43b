/**
 * The list of a warning's areas under its map: each circle with its centre
 * and radius as numbers (and presets), each polygon with its corners, each
 * 구 or 동 by name, and a button to remove any of them. It is how the areas
 * are edited from the keyboard; the map draws what it holds.
 */

import { element } from "./console-format.js";
import { formatRadius } from "./console-warning-format.js";
import { find } from "./dom.js";
import { setText, t } from "./i18n.js";

const MIN_RADIUS = 10;
const MAX_RADIUS = 50_000;
const PRESETS = [300, 500, 1000];

export const clampRadius = (metres) => Math.min(MAX_RADIUS, Math.max(MIN_RADIUS, Math.round(metres)));

function numberField(labelKey, value, { min, max, step }) {
  const label = element("label", "field field-small");
  const input = document.createElement("input");
  input.type = "number";
  input.inputMode = "decimal";
  Object.assign(input, { min: String(min), max: String(max), step: String(step), value: String(value) });
  label.append(element("span", "", { key: labelKey }), input);
  return [label, input];
}

function circleTitle(node, circle, index) {
  setText(node, "console.warnings.area.circle", { n: index + 1, radius: formatRadius(circle.radius_m) });
}

/**
 * The list in root. nameOf(code) names a 구 or 동; onEdit(circle) after a
 * circle's numbers changed; onRemove() after an area was taken out.
 */
export function createAreaList(root, { nameOf, onEdit, onRemove }) {
  const list = find("[data-area-list]", root);
  const empty = find("[data-area-empty]", root);
  let areas = { circles: [], polygons: [], geocodes: [] };
  let editable = true;

  function removeButton(key, vars, remove) {
    const button = element("button", "button button-quiet button-small", { key, vars });
    button.type = "button";
    button.dataset.areaRemove = "";
    button.hidden = !editable;
    button.addEventListener("click", () => {
      remove();
      onRemove();
    });
    return button;
  }

  function circleItem(circle, index) {
    const item = element("li", "area-item");
    Object.assign(item.dataset, { area: "circle", index: String(index) });
    const title = element("p", "area-item-title");
    circleTitle(title, circle, index);
    const [latLabel, lat] = numberField("console.warnings.area.lat", circle.lat.toFixed(6), { min: -90, max: 90, step: "any" });
    const [lonLabel, lon] = numberField("console.warnings.area.lon", circle.lon.toFixed(6), { min: -180, max: 180, step: "any" });
    const [radiusLabel, radius] = numberField("console.warnings.area.radius", circle.radius_m, { min: MIN_RADIUS, max: MAX_RADIUS, step: 10 });
    lat.dataset.circleLat = "";
    lon.dataset.circleLon = "";
    radius.dataset.circleRadius = "";
    const inputs = element("div", "area-inputs");
    inputs.append(latLabel, lonLabel, radiusLabel);
    const apply = () => {
      const [y, x, r] = [lat, lon, radius].map((input) => Number.parseFloat(input.value));
      if (![y, x, r].every(Number.isFinite) || Math.abs(y) > 90 || Math.abs(x) > 180) return; // still being typed
      Object.assign(circle, { lat: y, lon: x, radius_m: clampRadius(r) });
      circleTitle(title, circle, index);
      onEdit(circle);
    };
    for (const input of [lat, lon, radius]) input.addEventListener("input", apply);
    const presets = element("div", "area-presets");
    presets.setAttribute("role", "group");
    presets.setAttribute("aria-label", t("console.warnings.area.presets", { n: index + 1 }));
    presets.hidden = !editable;
    for (const metres of PRESETS) {
      const preset = element("button", "button button-secondary button-small", { text: formatRadius(metres) });
      preset.type = "button";
      preset.dataset.radiusPreset = String(metres);
      preset.addEventListener("click", () => {
        radius.value = String(metres);
        apply();
      });
      presets.append(preset);
    }
    item.append(title, inputs, presets, removeButton("console.warnings.area.remove_circle", { n: index + 1 }, () => areas.circles.splice(index, 1)));
    return item;
  }

  function polygonItem(ring, index) {
    const item = element("li", "area-item area-item-row");
    Object.assign(item.dataset, { area: "polygon", index: String(index) });
    item.append(
      element("p", "area-item-title", { key: "console.warnings.area.polygon", vars: { n: index + 1, vertices: ring.length } }),
      removeButton("console.warnings.area.remove_polygon", { n: index + 1 }, () => areas.polygons.splice(index, 1)),
    );
    return item;
  }

  function geocodeItem(code) {
    const item = element("li", "area-item area-item-row");
    Object.assign(item.dataset, { area: "geocode", code });
    const name = nameOf(code);
    const title = element("p", "area-item-title", { text: name });
    title.append(" ", element("span", "muted", { text: `(${code})` }));
    item.append(title, removeButton("console.warnings.area.remove_named", { name }, () => areas.geocodes.splice(areas.geocodes.indexOf(code), 1)));
    return item;
  }

  return {
    /** Show these areas ({circles, polygons: open rings, geocodes}); the list changes them in place. */
    render(next, { editable: flag }) {
      areas = next;
      editable = flag;
      list.replaceChildren(...areas.circles.map(circleItem), ...areas.polygons.map(polygonItem), ...areas.geocodes.map(geocodeItem));
      empty.hidden = list.children.length > 0;
    },
    /** A circle moved or resized on the map: its numbers follow. */
    syncCircle(index) {
      const item = find(`[data-area="circle"][data-index="${index}"]`, list);
      const circle = areas.circles[index];
      if (!item || !circle) return;
      find("[data-circle-lat]", item).value = circle.lat.toFixed(6);
      find("[data-circle-lon]", item).value = circle.lon.toFixed(6);
      find("[data-circle-radius]", item).value = String(circle.radius_m);
      circleTitle(find(".area-item-title", item), circle, index);
    },
    /** The latitude input of the last circle (to move the focus to one just added). */
    lastCircleInput() {
      const items = list.querySelectorAll('[data-area="circle"]');
      return items.length ? find("[data-circle-lat]", items[items.length - 1]) : null;
    },
  };
}
