import { cross, dot, length, sub, type Vec3 } from "@facet/core";
import type { Occt } from "./kernel";
import { OPENCASCADE_JS_VERSION } from "./kernel";
import { faceSignature, GeometryError, SMOOTH_DEGREES, SURFACES, stageClock } from "./tessellate";
import {
  type Convexity,
  DEFAULT_PARAMS,
  type EdgeRecord,
  type FaceMesh,
  type FaceRecord,
  type FacesDocument,
  type TessellationParams,
} from "./types";

type Face = ReturnType<Occt["TopoDS"]["Face_1"]>;
type Shape = ReturnType<InstanceType<Occt["STEPControl_Reader_1"]>["OneShape"]>;

type Xyz = { X(): number; Y(): number; Z(): number };
const xyz = (p: Xyz): Vec3 => [p.X(), p.Y(), p.Z()];
/** An OCCT axis (gp_Ax1) as [direction, location]. */
const axis = (a: { Direction(): Xyz; Location(): Xyz }): [Vec3, Vec3] => [xyz(a.Direction()), xyz(a.Location())];
const round = (x: number, digits = 6) => Number(x.toPrecision(digits));

function readStep(oc: Occt, bytes: Uint8Array) {
  const path = `/facet-${Date.now()}-${Math.random().toString(36).slice(2)}.step`;
  oc.FS.writeFile(path, bytes);
  try {
    const reader = new oc.STEPControl_Reader_1();
    const status = reader.ReadFile(path) as unknown as { value: number };
    if (status.value !== 1) {
      throw new GeometryError("UNREADABLE", "the file could not be read as STEP (it is damaged or not STEP)");
    }
    reader.TransferRoots(new oc.Message_ProgressRange_1());
    const shape = reader.OneShape();
    if (shape.IsNull()) throw new GeometryError("NO_GEOMETRY", "the STEP file has no geometry");
    return { reader, shape };
  } finally {
    oc.FS.unlink(path);
  }
}

function count(oc: Occt, shape: Shape, type: unknown): number {
  const map = new oc.TopTools_IndexedMapOfShape_1();
  oc.TopExp.MapShapes_1(shape, type as never, map);
  const n = map.Extent();
  map.delete();
  return n;
}

function surfaceOf(oc: Occt, face: Face, reversed: boolean) {
  const s = new oc.BRepAdaptor_Surface_2(face, true);
  const kind = SURFACES[(s.GetType() as unknown as { value: number }).value] ?? "other";
  let direction: Vec3 | null = null;
  let origin: Vec3 | null = null;
  let radius: number | null = null;
  if (kind === "plane") {
    const [d, o] = axis(s.Plane().Axis());
    direction = reversed ? [-d[0], -d[1], -d[2]] : d;
    origin = o;
  } else if (kind === "cylinder") {
    const c = s.Cylinder();
    [direction, origin] = axis(c.Axis());
    radius = c.Radius();
  } else if (kind === "cone") {
    const c = s.Cone();
    [direction, origin] = axis(c.Axis());
    radius = c.RefRadius();
  } else if (kind === "sphere") {
    const c = s.Sphere();
    origin = xyz(c.Location());
    radius = c.Radius();
  } else if (kind === "torus") {
    const c = s.Torus();
    [direction, origin] = axis(c.Axis());
    radius = c.MajorRadius();
  }
  s.delete();
  return { kind, direction, origin, radius };
}

/**
 * The pipeline of `tessellateStep` through opencascade.js' object API, one call per OCCT object: the
 * reference the kernel is tested against (same faces, same numbering, same descriptions) and the
 * benchmark's comparison. Not used by the workers: every object crossing between JavaScript and
 * WebAssembly, with exceptions emulated in JavaScript, makes it about twice as slow.
 */
export function tessellateWithOpencascadeJs(oc: Occt, bytes: Uint8Array, params: TessellationParams = DEFAULT_PARAMS) {
  const clock = stageClock();
  const { reader, shape } = readStep(oc, bytes);
  clock.lap("read");
  const E = oc.TopAbs_ShapeEnum;
  const faceMap = new oc.TopTools_IndexedMapOfShape_1();
  oc.TopExp.MapShapes_1(shape, E.TopAbs_FACE as never, faceMap);
  const faceCount = faceMap.Extent();
  if (faceCount === 0) throw new GeometryError("NO_GEOMETRY", "the STEP file has no faces (no 3D geometry)");
  if (count(oc, shape, E.TopAbs_SOLID) === 0) {
    throw new GeometryError("NOT_A_SOLID", `the STEP file holds ${faceCount} surface(s) but no solid`);
  }

  const box = new oc.Bnd_Box_1();
  oc.BRepBndLib.Add(shape, box, false);
  const bmin = xyz(box.CornerMin());
  const bmax = xyz(box.CornerMax());
  const diagonal = length(sub(bmax, bmin));
  const mesher = new oc.BRepMesh_IncrementalMesh_2(
    shape,
    diagonal * params.relativeDeflection,
    false,
    params.angularDeflection,
    false,
  );
  mesher.delete();
  clock.lap("mesh");

  const names = stepNames(oc, reader, faceMap);
  const positions: number[] = [];
  const indices: number[] = [];
  const faceIds: number[] = [];
  const vertexFaceIds: number[] = [];
  const faces: FaceRecord[] = [];
  for (let i = 1; i <= faceCount; i++) {
    const face = oc.TopoDS.Face_1(faceMap.FindKey(i));
    const reversed = (face.Orientation_1() as unknown as { value: number }).value === 1;
    const first = faceIds.length;
    const box = appendTriangulation(oc, face, i - 1, reversed, { positions, indices, faceIds, vertexFaceIds });
    const props = new oc.GProp_GProps_1();
    oc.BRepGProp.SurfaceProperties_1(face, props, false, false);
    const area = props.Mass();
    props.delete();
    const s = surfaceOf(oc, face, reversed);
    faces.push({
      index: i - 1,
      surface: s.kind,
      area,
      direction: s.direction,
      origin: s.origin,
      radius: s.radius,
      bbox: box,
      triangles: { first, count: faceIds.length - first },
      stepName: names[i - 1] ?? null,
      reversed,
    });
    face.delete();
  }
  clock.lap("faces");
  const shapeArea = faces.reduce((sum, f) => sum + f.area, 0);
  const edges = adjacency(oc, shape, faceMap);
  clock.lap("adjacency");
  const signature = faceSignature(faces);
  faceMap.delete();
  reader.delete();

  const mesh: FaceMesh = {
    positions: Float32Array.from(positions),
    indices: Uint32Array.from(indices),
    faceIds: Uint32Array.from(faceIds),
    vertexFaceIds: Uint32Array.from(vertexFaceIds),
  };
  const document: FacesDocument = {
    tessellator: OPENCASCADE_JS_VERSION,
    params,
    faceCount,
    triangleCount: faceIds.length,
    area: shapeArea,
    bbox: { min: bmin, max: bmax },
    signature,
    faces,
    edges,
  };
  return { mesh, document, timings: clock.timings };
}

type MeshArrays = { positions: number[]; indices: number[]; faceIds: number[]; vertexFaceIds: number[] };

/** Append a face's triangulation (nodes placed by the face's location) and return its bounding box. */
function appendTriangulation(oc: Occt, face: Face, index: number, reversed: boolean, out: MeshArrays) {
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  const loc = new oc.TopLoc_Location_1();
  const handle = oc.BRep_Tool.Triangulation(face, loc, 0 as never);
  if (!handle.IsNull()) {
    const tri = handle.get();
    const trsf = loc.IsIdentity() ? null : loc.Transformation();
    const base = out.positions.length / 3;
    const nodes = tri.NbNodes();
    for (let n = 1; n <= nodes; n++) {
      const node = tri.Node(n);
      const placed = trsf ? node.Transformed(trsf) : node;
      const x = placed.X();
      const y = placed.Y();
      const z = placed.Z();
      if (placed !== node) placed.delete();
      node.delete();
      out.positions.push(x, y, z);
      out.vertexFaceIds.push(index);
      if (x < min[0]) min[0] = x;
      if (y < min[1]) min[1] = y;
      if (z < min[2]) min[2] = z;
      if (x > max[0]) max[0] = x;
      if (y > max[1]) max[1] = y;
      if (z > max[2]) max[2] = z;
    }
    const triangles = tri.NbTriangles();
    for (let t = 1; t <= triangles; t++) {
      const tr = tri.Triangle(t);
      const a = base + tr.Value(1) - 1;
      const b = base + tr.Value(2) - 1;
      const c = base + tr.Value(3) - 1;
      tr.delete();
      if (reversed) out.indices.push(a, c, b);
      else out.indices.push(a, b, c);
      out.faceIds.push(index);
    }
    trsf?.delete();
  }
  handle.delete();
  loc.delete();
  return { min, max };
}

/**
 * The STEP entity name of every face (`ADVANCED_FACE('<name>', …)`), in face-map order. One pass over
 * the transfer's results: OCCT's own `EntityFromShapeResult` scans all of them for every face
 * (quadratic; over a second on a 600-face NIST part). Same answer, first match wins as there.
 */
function stepNames(
  oc: Occt,
  reader: InstanceType<Occt["STEPControl_Reader_1"]>,
  faceMap: InstanceType<Occt["TopTools_IndexedMapOfShape_1"]>,
): (string | null)[] {
  const names: (string | null)[] = new Array(faceMap.Extent()).fill(null);
  const found: boolean[] = new Array(faceMap.Extent()).fill(false);
  const process = reader.WS().get().TransferReader().get().TransientProcess().get();
  const FACE = (oc.TopAbs_ShapeEnum.TopAbs_FACE as unknown as { value: number }).value;
  const mapped = process.NbMapped();
  for (let i = 1; i <= mapped; i++) {
    const binder = process.MapItem(i);
    const result = binder.IsNull() ? null : binder.get();
    if (result instanceof oc.TransferBRep_BinderOfShape) {
      const shape = result.Result();
      const index = (shape.ShapeType() as unknown as { value: number }).value === FACE ? faceMap.FindIndex(shape) : 0;
      if (index > 0 && !found[index - 1]) {
        found[index - 1] = true;
        const entity = process.Mapped(i);
        const named = entity.get() as unknown as { Name?: () => { IsNull(): boolean; get(): { ToCString(): string } } };
        const name = named.Name?.();
        if (name && !name.IsNull()) names[index - 1] = name.get().ToCString();
        entity.delete();
      }
      shape.delete();
    }
    binder.delete();
  }
  return names;
}

/** Faces that share an edge, and how they meet (normals at the edge's midpoint). */
function adjacency(oc: Occt, shape: Shape, faceMap: InstanceType<Occt["TopTools_IndexedMapOfShape_1"]>): EdgeRecord[] {
  const E = oc.TopAbs_ShapeEnum;
  const edgeFaces = new oc.TopTools_IndexedDataMapOfShapeListOfShape_1();
  oc.TopExp.MapShapesAndAncestors(shape, E.TopAbs_EDGE as never, E.TopAbs_FACE as never, edgeFaces);
  const normals = new FaceNormals(oc);
  const seen = new Map<string, EdgeRecord>();
  const p = new oc.gp_Pnt_1();
  const tangent = new oc.gp_Vec_1();
  for (let e = 1; e <= edgeFaces.Size(); e++) {
    const list = edgeFaces.FindFromIndex(e);
    if (list.Size() < 2) continue; // a free edge (NIST files have some): no neighbour
    const edge = oc.TopoDS.Edge_1(edgeFaces.FindKey(e));
    const f1 = oc.TopoDS.Face_1(list.First_1());
    const f2 = oc.TopoDS.Face_1(list.Last_1());
    if (f1.IsSame(f2)) continue; // a seam
    const i1 = faceMap.FindIndex(f1) - 1;
    const i2 = faceMap.FindIndex(f2) - 1;
    const curve = new oc.BRepAdaptor_Curve_2(edge);
    const u = (curve.FirstParameter() + curve.LastParameter()) / 2;
    curve.D1(u, p, tangent);
    curve.delete();
    if (edgeOrientationIn(oc, f1, edge) === 1) tangent.Reverse();
    const n1 = normals.at(i1, f1, edge, u, p);
    const n2 = normals.at(i2, f2, edge, u, p);
    let convexity: Convexity = "smooth";
    let angle = 0;
    if (n1 && n2) {
      const n = cross(n1, n2);
      angle = (Math.atan2(length(n), dot(n1, n2)) * 180) / Math.PI;
      if (angle >= SMOOTH_DEGREES) convexity = dot(n, xyz(tangent)) > 0 ? "convex" : "concave";
    }
    edge.delete();
    f1.delete();
    f2.delete();
    const key = i1 < i2 ? `${i1}-${i2}` : `${i2}-${i1}`;
    // two faces can meet along several edges: keep the sharpest description
    const record: EdgeRecord = { faces: i1 < i2 ? [i1, i2] : [i2, i1], convexity, angle: round(angle, 4) };
    const prior = seen.get(key);
    if (!prior || (prior.convexity === "smooth" && convexity !== "smooth")) seen.set(key, record);
  }
  p.delete();
  tangent.delete();
  normals.delete();
  edgeFaces.delete();
  return [...seen.values()].sort((a, b) => a.faces[0] - b.faces[0] || a.faces[1] - b.faces[1]);
}

function edgeOrientationIn(oc: Occt, face: Face, edge: ReturnType<Occt["TopoDS"]["Edge_1"]>): number {
  const ex = new oc.TopExp_Explorer_2(
    face,
    oc.TopAbs_ShapeEnum.TopAbs_EDGE as never,
    oc.TopAbs_ShapeEnum.TopAbs_SHAPE as never,
  );
  try {
    for (; ex.More(); ex.Next()) {
      const c = ex.Current();
      if (c.IsSame(edge)) return (c.Orientation_1() as unknown as { value: number }).value;
    }
    return 0;
  } finally {
    ex.delete();
  }
}

/**
 * Outward normals of faces at points of their edges. One surface evaluator per face, kept for all
 * of its edges; the point's (u, v) comes from the edge's curve on the face (its p-curve), and only
 * when the face has none from projecting the point onto the surface.
 */
class FaceNormals {
  private readonly cache = new Map<
    number,
    { adaptor: InstanceType<Occt["BRepAdaptor_Surface_2"]>; props: InstanceType<Occt["BRepLProp_SLProps_1"]> }
  >();
  constructor(private readonly oc: Occt) {}

  at(
    index: number,
    face: Face,
    edge: ReturnType<Occt["TopoDS"]["Edge_1"]>,
    u: number,
    p: InstanceType<Occt["gp_Pnt_1"]>,
  ): Vec3 | null {
    const { oc } = this;
    let entry = this.cache.get(index);
    if (!entry) {
      const adaptor = new oc.BRepAdaptor_Surface_2(face, false);
      entry = { adaptor, props: new oc.BRepLProp_SLProps_2(adaptor, 1 as never, 1e-7) };
      this.cache.set(index, entry);
    }
    const uv = this.uvOn(face, edge, u, p);
    entry.props.SetParameters(uv[0], uv[1]);
    if (!entry.props.IsNormalDefined()) return null;
    const n = xyz(entry.props.Normal());
    return (face.Orientation_1() as unknown as { value: number }).value === 1 ? [-n[0], -n[1], -n[2]] : n;
  }

  private uvOn(face: Face, edge: ReturnType<Occt["TopoDS"]["Edge_1"]>, u: number, p: InstanceType<Occt["gp_Pnt_1"]>) {
    const { oc } = this;
    try {
      const pcurve = new oc.BRepAdaptor_Curve2d_2(edge, face);
      const uv = pcurve.Value(u);
      const out: [number, number] = [uv.X(), uv.Y()];
      uv.delete();
      pcurve.delete();
      return out;
    } catch {
      const analysis = new oc.ShapeAnalysis_Surface(oc.BRep_Tool.Surface_2(face));
      const uv = analysis.ValueOfUV(p, 1e-6);
      const out: [number, number] = [uv.X(), uv.Y()];
      uv.delete();
      analysis.delete();
      return out;
    }
  }

  delete() {
    for (const { adaptor, props } of this.cache.values()) {
      props.delete();
      adaptor.delete();
    }
    this.cache.clear();
  }
}
