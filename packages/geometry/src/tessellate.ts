import type { Occt } from "./kernel";
import { TESSELLATOR_VERSION } from "./kernel";
import {
  type Convexity,
  DEFAULT_PARAMS,
  type EdgeRecord,
  type FaceMesh,
  type FaceRecord,
  type FacesDocument,
  type SurfaceType,
  type TessellationParams,
  type Vec3,
} from "./types";

/** Why a file could not become a mesh, in words a person understands. */
export class GeometryError extends Error {
  constructor(
    readonly reason: "UNREADABLE" | "NO_GEOMETRY" | "NOT_A_SOLID" | "MESH_FAILED",
    message: string,
  ) {
    super(message);
    this.name = "GeometryError";
  }
}

// GeomAbs_SurfaceType order
const SURFACES: SurfaceType[] = ["plane", "cylinder", "cone", "sphere", "torus", "bspline", "bspline"];
const SMOOTH_DEGREES = 5;

type Face = ReturnType<Occt["TopoDS"]["Face_1"]>;
type Shape = ReturnType<InstanceType<Occt["STEPControl_Reader_1"]>["OneShape"]>;

const xyz = (p: { X(): number; Y(): number; Z(): number }): Vec3 => [p.X(), p.Y(), p.Z()];
const round = (x: number, digits = 6) => Number(x.toPrecision(digits));

/** FNV-1a (64-bit) of a string, hex: a stable fingerprint without any platform crypto. */
export function fingerprint(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}

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
    const ax = s.Plane().Axis();
    const d = xyz(ax.Direction());
    direction = reversed ? [-d[0], -d[1], -d[2]] : d;
    origin = xyz(ax.Location());
  } else if (kind === "cylinder") {
    const c = s.Cylinder();
    direction = xyz(c.Axis().Direction());
    origin = xyz(c.Axis().Location());
    radius = c.Radius();
  } else if (kind === "cone") {
    const c = s.Cone();
    direction = xyz(c.Axis().Direction());
    origin = xyz(c.Axis().Location());
    radius = c.RefRadius();
  } else if (kind === "sphere") {
    const c = s.Sphere();
    origin = xyz(c.Location());
    radius = c.Radius();
  } else if (kind === "torus") {
    const c = s.Torus();
    direction = xyz(c.Axis().Direction());
    origin = xyz(c.Axis().Location());
    radius = c.MajorRadius();
  }
  s.delete();
  return { kind, direction, origin, radius };
}

/**
 * STEP bytes → a mesh whose every triangle knows its B-rep face, plus the faces document
 * (surface type, area, axis or normal, bounding box, triangle range, STEP name) and the edges
 * between faces with their convexity. Face numbering is the order of OCCT's face map: the same
 * for the same bytes and the same tessellator version.
 */
export function tessellateStep(oc: Occt, bytes: Uint8Array, params: TessellationParams = DEFAULT_PARAMS) {
  const { reader, shape } = readStep(oc, bytes);
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
  const diagonal = Math.hypot(bmax[0] - bmin[0], bmax[1] - bmin[1], bmax[2] - bmin[2]);
  const mesher = new oc.BRepMesh_IncrementalMesh_2(
    shape,
    diagonal * params.relativeDeflection,
    false,
    params.angularDeflection,
    false,
  );
  mesher.delete();

  const transfer = reader.WS().get().TransferReader().get();
  const positions: number[] = [];
  const indices: number[] = [];
  const faceIds: number[] = [];
  const vertexFaceIds: number[] = [];
  const faces: FaceRecord[] = [];
  for (let i = 1; i <= faceCount; i++) {
    const face = oc.TopoDS.Face_1(faceMap.FindKey(i));
    const reversed = (face.Orientation_1() as unknown as { value: number }).value === 1;
    const first = faceIds.length;
    const fmin: Vec3 = [Infinity, Infinity, Infinity];
    const fmax: Vec3 = [-Infinity, -Infinity, -Infinity];
    const loc = new oc.TopLoc_Location_1();
    const handle = oc.BRep_Tool.Triangulation(face, loc, 0 as never);
    if (!handle.IsNull()) {
      const tri = handle.get();
      const trsf = loc.Transformation();
      const base = positions.length / 3;
      for (let n = 1; n <= tri.NbNodes(); n++) {
        const p = xyz(tri.Node(n).Transformed(trsf));
        positions.push(p[0], p[1], p[2]);
        vertexFaceIds.push(i - 1);
        for (let k = 0; k < 3; k++) {
          fmin[k] = Math.min(fmin[k] as number, p[k] as number);
          fmax[k] = Math.max(fmax[k] as number, p[k] as number);
        }
      }
      for (let t = 1; t <= tri.NbTriangles(); t++) {
        const tr = tri.Triangle(t);
        const a = base + tr.Value(1) - 1;
        const b = base + tr.Value(2) - 1;
        const c = base + tr.Value(3) - 1;
        if (reversed) indices.push(a, c, b);
        else indices.push(a, b, c);
        faceIds.push(i - 1);
      }
    }
    const props = new oc.GProp_GProps_1();
    oc.BRepGProp.SurfaceProperties_1(face, props, false, false);
    const area = props.Mass();
    props.delete();
    const s = surfaceOf(oc, face, reversed);
    const entity = transfer.EntityFromShapeResult(face, 1 as never);
    const named = entity.IsNull()
      ? null
      : (entity.get() as unknown as { Name?: () => { IsNull(): boolean; get(): { ToCString(): string } } });
    const nameHandle = named?.Name?.();
    faces.push({
      index: i - 1,
      surface: s.kind,
      area,
      direction: s.direction,
      origin: s.origin,
      radius: s.radius,
      bbox: { min: fmin, max: fmax },
      triangles: { first, count: faceIds.length - first },
      stepName: nameHandle && !nameHandle.IsNull() ? nameHandle.get().ToCString() : null,
      reversed,
    });
  }

  const shapeProps = new oc.GProp_GProps_1();
  oc.BRepGProp.SurfaceProperties_1(shape, shapeProps, false, false);
  const shapeArea = shapeProps.Mass();
  shapeProps.delete();
  const edges = adjacency(oc, shape, faceMap);
  const signature = fingerprint(
    JSON.stringify([TESSELLATOR_VERSION, faceCount, faces.map((f) => [f.surface, round(f.area, 5), f.stepName])]),
  );
  faceMap.delete();
  reader.delete();

  const mesh: FaceMesh = {
    positions: Float32Array.from(positions),
    indices: Uint32Array.from(indices),
    faceIds: Uint32Array.from(faceIds),
    vertexFaceIds: Uint32Array.from(vertexFaceIds),
  };
  const document: FacesDocument = {
    tessellator: TESSELLATOR_VERSION,
    params,
    faceCount,
    triangleCount: faceIds.length,
    area: shapeArea,
    bbox: { min: bmin, max: bmax },
    signature,
    faces,
    edges,
  };
  return { mesh, document };
}

/** Faces that share an edge, and how they meet (normals at the edge's midpoint). */
function adjacency(oc: Occt, shape: Shape, faceMap: InstanceType<Occt["TopTools_IndexedMapOfShape_1"]>): EdgeRecord[] {
  const E = oc.TopAbs_ShapeEnum;
  const edgeFaces = new oc.TopTools_IndexedDataMapOfShapeListOfShape_1();
  oc.TopExp.MapShapesAndAncestors(shape, E.TopAbs_EDGE as never, E.TopAbs_FACE as never, edgeFaces);
  const seen = new Map<string, EdgeRecord>();
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
    const p = new oc.gp_Pnt_1();
    const tangent = new oc.gp_Vec_1();
    curve.D1(u, p, tangent);
    if (edgeOrientationIn(oc, f1, edge) === 1) tangent.Reverse();
    const n1 = normalAt(oc, f1, p);
    const n2 = normalAt(oc, f2, p);
    curve.delete();
    let convexity: Convexity = "smooth";
    let angle = 0;
    if (n1 && n2) {
      const cross: Vec3 = [n1[1] * n2[2] - n1[2] * n2[1], n1[2] * n2[0] - n1[0] * n2[2], n1[0] * n2[1] - n1[1] * n2[0]];
      const dot = n1[0] * n2[0] + n1[1] * n2[1] + n1[2] * n2[2];
      angle = (Math.atan2(Math.hypot(...cross), dot) * 180) / Math.PI;
      if (angle >= SMOOTH_DEGREES) {
        convexity = cross[0] * tangent.X() + cross[1] * tangent.Y() + cross[2] * tangent.Z() > 0 ? "convex" : "concave";
      }
    }
    const key = i1 < i2 ? `${i1}-${i2}` : `${i2}-${i1}`;
    // two faces can meet along several edges: keep the sharpest description
    const record: EdgeRecord = { faces: i1 < i2 ? [i1, i2] : [i2, i1], convexity, angle: round(angle, 4) };
    const prior = seen.get(key);
    if (!prior || (prior.convexity === "smooth" && convexity !== "smooth")) seen.set(key, record);
  }
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

/** Outward normal of a face at a point on it (the face's orientation applied). */
function normalAt(oc: Occt, face: Face, p: InstanceType<Occt["gp_Pnt_1"]>): Vec3 | null {
  const analysis = new oc.ShapeAnalysis_Surface(oc.BRep_Tool.Surface_2(face));
  const uv = analysis.ValueOfUV(p, 1e-6);
  const adaptor = new oc.BRepAdaptor_Surface_2(face, true);
  const props = new oc.BRepLProp_SLProps_1(adaptor, uv.X(), uv.Y(), 1 as never, 1e-7);
  try {
    if (!props.IsNormalDefined()) return null;
    const n = xyz(props.Normal());
    return (face.Orientation_1() as unknown as { value: number }).value === 1 ? [-n[0], -n[1], -n[2]] : n;
  } finally {
    props.delete();
    adaptor.delete();
    analysis.delete();
  }
}
