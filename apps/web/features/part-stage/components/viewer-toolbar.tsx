"use client";

import type { SectionPlane, Tool, ViewerBackground, ViewName } from "@facet/viewer";
import type { PartStage } from "../use-part-stage";

const TOOLS: Array<[Tool, string, string]> = [
  ["select", "Select", "V"],
  ["paint", "Paint", "P"],
  ["box", "Box", "R"],
];
const VIEWS: ViewName[] = ["iso", "front", "back", "left", "right", "top", "bottom"];

/**
 * The viewer's tools over a part stage: select, paint, box; standard views, fit, projection, x-ray,
 * edges, background; hide, isolate, show all; a section plane. `onTool` replaces the stage's tool
 * setter (for clicks).
 */
export function ViewerToolbar({ stage, onTool }: { stage: PartStage; onTool?: (t: Tool) => void }) {
  const { section, setSection } = stage;
  const setTool = onTool ?? stage.setTool;
  const hiddenCount = stage.hidden.size;
  return (
    <div className="wb-toolbar" role="toolbar" aria-label="Viewer">
      <fieldset className="wb-group" aria-label="Tool">
        {TOOLS.map(([t, label, key]) => (
          <button
            key={t}
            type="button"
            aria-pressed={stage.tool === t}
            className={stage.tool === t ? "on" : ""}
            onClick={() => setTool(t)}
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
          onChange={(e) => e.target.value && stage.viewer.current?.view(e.target.value as ViewName)}
        >
          <option value="">View…</option>
          {VIEWS.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
        <button type="button" onClick={stage.fit} title="Fit (F)">
          Fit <kbd>F</kbd>
        </button>
        <button
          type="button"
          aria-pressed={stage.projection === "orthographic"}
          className={stage.projection === "orthographic" ? "on" : ""}
          onClick={() => stage.setProjection(stage.projection === "perspective" ? "orthographic" : "perspective")}
          title="Orthographic / perspective (O)"
        >
          {stage.projection === "orthographic" ? "Ortho" : "Persp"} <kbd>O</kbd>
        </button>
        <Toggle on={stage.xray} set={stage.setXray} label="X-ray" hotkey="X" title="X-ray" />
        <Toggle on={stage.edges} set={stage.setEdges} label="Edges" hotkey="E" title="Edges between faces" />
        <select
          aria-label="Background"
          title="Background"
          value={stage.background}
          onChange={(e) => stage.setBackground(e.target.value as ViewerBackground)}
        >
          <option value="dark">Dark background</option>
          <option value="light">Light background</option>
        </select>
      </div>
      <div className="wb-group">
        <button type="button" onClick={stage.hideSelection} title="Hide the selection (H)">
          Hide <kbd>H</kbd>
        </button>
        <button type="button" onClick={stage.isolate} title="Show only the selection (I)">
          Isolate <kbd>I</kbd>
        </button>
        <button type="button" onClick={stage.showAll} disabled={hiddenCount === 0} title="Show all (Shift+H)">
          Show all{hiddenCount > 0 ? ` (${hiddenCount} hidden)` : ""}
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

/** A button that turns a view setting on and off, with its key. */
function Toggle(p: { on: boolean; set: (on: boolean) => void; label: string; hotkey: string; title: string }) {
  return (
    <button
      type="button"
      aria-pressed={p.on}
      className={p.on ? "on" : ""}
      onClick={() => p.set(!p.on)}
      title={`${p.title} (${p.hotkey})`}
    >
      {p.label} <kbd>{p.hotkey}</kbd>
    </button>
  );
}
