"use client";

import type { Projection, SectionPlane, Tool, ViewName } from "@facet/viewer";

const TOOLS: Array<[Tool, string, string]> = [
  ["select", "Select", "V"],
  ["paint", "Paint", "P"],
  ["box", "Box", "R"],
];
const VIEWS: ViewName[] = ["iso", "front", "back", "left", "right", "top", "bottom"];

export function ViewerToolbar(props: {
  tool: Tool;
  setTool: (t: Tool) => void;
  projection: Projection;
  setProjection: (p: Projection) => void;
  xray: boolean;
  setXray: (v: boolean) => void;
  section: SectionPlane | null;
  setSection: (s: SectionPlane | null) => void;
  onView: (v: ViewName) => void;
  onFit: () => void;
  onHide: () => void;
  onIsolate: () => void;
  onShowAll: () => void;
  hiddenCount: number;
}) {
  const { section, setSection } = props;
  return (
    <div className="wb-toolbar" role="toolbar" aria-label="Viewer">
      <fieldset className="wb-group" aria-label="Tool">
        {TOOLS.map(([t, label, key]) => (
          <button
            key={t}
            type="button"
            aria-pressed={props.tool === t}
            className={props.tool === t ? "on" : ""}
            onClick={() => props.setTool(t)}
            title={`${label} (${key})`}
          >
            {label} <kbd>{key}</kbd>
          </button>
        ))}
      </fieldset>
      <div className="wb-group">
        <select
          aria-label="Standard view"
          value=""
          onChange={(e) => e.target.value && props.onView(e.target.value as ViewName)}
        >
          <option value="">View…</option>
          {VIEWS.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
        <button type="button" onClick={props.onFit} title="Fit (F)">
          Fit <kbd>F</kbd>
        </button>
        <button
          type="button"
          aria-pressed={props.projection === "orthographic"}
          className={props.projection === "orthographic" ? "on" : ""}
          onClick={() => props.setProjection(props.projection === "perspective" ? "orthographic" : "perspective")}
          title="Orthographic / perspective (O)"
        >
          {props.projection === "orthographic" ? "Ortho" : "Persp"} <kbd>O</kbd>
        </button>
        <button
          type="button"
          aria-pressed={props.xray}
          className={props.xray ? "on" : ""}
          onClick={() => props.setXray(!props.xray)}
          title="X-ray (X)"
        >
          X-ray <kbd>X</kbd>
        </button>
      </div>
      <div className="wb-group">
        <button type="button" onClick={props.onHide} title="Hide the selection (H)">
          Hide <kbd>H</kbd>
        </button>
        <button type="button" onClick={props.onIsolate} title="Show only the selection (I)">
          Isolate <kbd>I</kbd>
        </button>
        <button type="button" onClick={props.onShowAll} disabled={props.hiddenCount === 0} title="Show all (Shift+H)">
          Show all{props.hiddenCount > 0 ? ` (${props.hiddenCount} hidden)` : ""}
        </button>
      </div>
      <div className="wb-group">
        <label className="wb-inline">
          <input
            type="checkbox"
            checked={section !== null}
            onChange={(e) => setSection(e.target.checked ? { axis: "z", offset: 0.5, flip: false } : null)}
          />
          Section
        </label>
        {section && (
          <>
            <select
              aria-label="Section axis"
              value={section.axis}
              onChange={(e) => setSection({ ...section, axis: e.target.value as SectionPlane["axis"] })}
            >
              <option value="x">X</option>
              <option value="y">Y</option>
              <option value="z">Z</option>
            </select>
            <input
              type="range"
              aria-label="Section position"
              min={0}
              max={1}
              step={0.01}
              value={section.offset}
              onChange={(e) => setSection({ ...section, offset: Number(e.target.value) })}
            />
            <button type="button" onClick={() => setSection({ ...section, flip: !section.flip })}>
              Flip
            </button>
          </>
        )}
      </div>
    </div>
  );
}
