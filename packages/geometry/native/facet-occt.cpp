// The geometry pipeline in C++, compiled with OCCT 7.6.3 to WebAssembly (see build.mjs): read a STEP
// file, check it holds a solid, mesh it at a deflection relative to its size, then describe every face
// (triangulation, exact area, surface, STEP entity name) and every edge between two faces (normals at
// the edge's midpoint). One call does all of it, so no time is lost crossing between JavaScript and
// WebAssembly per object; packages/geometry/src/tessellate.ts turns the arrays into the mesh and the
// faces document.
//
// facet_run(path, relativeDeflection, angularDeflection) returns a status (FacetStatus) and keeps the
// results until facet_release(); facet_result() returns the address of a table of (address, length)
// pairs described by ResultSlot.
#include <BRepAdaptor_Curve.hxx>
#include <BRepAdaptor_Curve2d.hxx>
#include <BRepAdaptor_Surface.hxx>
#include <BRepBndLib.hxx>
#include <BRepGProp.hxx>
#include <BRepLProp_SLProps.hxx>
#include <BRepMesh_IncrementalMesh.hxx>
#include <BRep_Tool.hxx>
#include <Bnd_Box.hxx>
#include <GProp_GProps.hxx>
#include <Geom2d_Curve.hxx>
#include <Message.hxx>
#include <Message_Messenger.hxx>
#include <Message_Printer.hxx>
#include <Message_ProgressRange.hxx>
#include <Poly_Triangulation.hxx>
#include <STEPControl_Reader.hxx>
#include <ShapeAnalysis_Surface.hxx>
#include <Standard_Failure.hxx>
#include <StepRepr_RepresentationItem.hxx>
#include <TCollection_HAsciiString.hxx>
#include <TopExp.hxx>
#include <TopExp_Explorer.hxx>
#include <TopTools_IndexedDataMapOfShapeListOfShape.hxx>
#include <TopTools_IndexedMapOfShape.hxx>
#include <TopoDS.hxx>
#include <TransferBRep_BinderOfShape.hxx>
#include <Transfer_TransientProcess.hxx>
#include <XSControl_TransferReader.hxx>
#include <XSControl_WorkSession.hxx>
#include <gp_Cone.hxx>
#include <gp_Cylinder.hxx>
#include <gp_Pln.hxx>
#include <gp_Sphere.hxx>
#include <gp_Torus.hxx>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

enum FacetStatus {
  OK = 0,
  UNREADABLE = 1,   // not STEP, or damaged
  NO_GEOMETRY = 2,  // the transfer gave no shape
  NO_FACES = 3,     // a shape without faces
  NOT_A_SOLID = 4,  // faces but no solid
  FAILED = 5,       // OpenCascade raised an error (message in MESSAGE)
};

// One row of doubles per face (FACE_STRIDE values), in face-map order.
enum FaceField {
  F_SURFACE = 0,  // GeomAbs_SurfaceType
  F_AREA = 1,
  F_DIRECTION = 2,  // 3 values; F_HAS_DIRECTION says whether they mean anything
  F_HAS_DIRECTION = 5,
  F_ORIGIN = 6,  // 3 values
  F_HAS_ORIGIN = 9,
  F_RADIUS = 10,
  F_HAS_RADIUS = 11,
  F_BBOX_MIN = 12,  // 3 values (+inf when the face has no triangles)
  F_BBOX_MAX = 15,  // 3 values (-inf likewise)
  F_TRIANGLE_FIRST = 18,
  F_TRIANGLE_COUNT = 19,
  F_REVERSED = 20,
  F_HAS_NAME = 21,
  FACE_STRIDE = 22,
};

// The result table: for each slot, an address and a length (in elements of the slot's type).
enum ResultSlot {
  S_POSITIONS = 0,        // float32 x, y, z per vertex
  S_INDICES = 1,          // uint32, three per triangle
  S_TRIANGLE_FACES = 2,   // uint32 face index per triangle
  S_VERTEX_FACES = 3,     // uint32 face index per vertex
  S_FACES = 4,            // float64, FACE_STRIDE per face
  S_EDGES = 5,            // int32: face a, face b, convexity (0 smooth, 1 convex, 2 concave)
  S_EDGE_ANGLES = 6,      // float64 degrees, one per edge
  S_NAMES = 7,            // bytes: every face's STEP name followed by a NUL
  S_SUMMARY = 8,          // float64: bbox min xyz, max xyz, face count, solid count, ms read/mesh/faces/adjacency
  S_MESSAGE = 9,          // bytes: what failed, NUL-terminated
  SLOT_COUNT = 10,
};

struct Result {
  std::vector<float> positions;
  std::vector<uint32_t> indices;
  std::vector<uint32_t> triangleFaces;
  std::vector<uint32_t> vertexFaces;
  std::vector<double> faces;
  std::vector<int32_t> edges;
  std::vector<double> edgeAngles;
  std::string names;
  std::vector<double> summary = std::vector<double>(14, 0.0);
  std::string message;
  uint32_t table[SLOT_COUNT * 2] = {0};
};

Result* current = nullptr;

using Clock = std::chrono::steady_clock;
double since(Clock::time_point& last) {
  const auto now = Clock::now();
  const double ms = std::chrono::duration<double, std::milli>(now - last).count();
  last = now;
  return std::round(ms * 10) / 10;
}

void put(double* at, const gp_XYZ& v) {
  at[0] = v.X();
  at[1] = v.Y();
  at[2] = v.Z();
}

// An axis (direction and a point of it) and a radius, for cylinders, cones and tori.
void putAxis(double* row, const gp_Ax1& axis, double radius) {
  put(row + F_DIRECTION, axis.Direction().XYZ());
  put(row + F_ORIGIN, axis.Location().XYZ());
  row[F_RADIUS] = radius;
  row[F_HAS_DIRECTION] = row[F_HAS_ORIGIN] = row[F_HAS_RADIUS] = 1;
}

void describeSurface(const TopoDS_Face& face, bool reversed, double* row) {
  BRepAdaptor_Surface s(face, true);
  const GeomAbs_SurfaceType type = s.GetType();
  row[F_SURFACE] = type;
  switch (type) {
    case GeomAbs_Plane: {
      const gp_Ax1 ax = s.Plane().Axis();
      gp_XYZ d = ax.Direction().XYZ();
      if (reversed) d.Reverse();  // the plane's normal points out of the solid
      put(row + F_DIRECTION, d);
      put(row + F_ORIGIN, ax.Location().XYZ());
      row[F_HAS_DIRECTION] = row[F_HAS_ORIGIN] = 1;
      break;
    }
    case GeomAbs_Cylinder:
      putAxis(row, s.Cylinder().Axis(), s.Cylinder().Radius());
      break;
    case GeomAbs_Cone:
      putAxis(row, s.Cone().Axis(), s.Cone().RefRadius());
      break;
    case GeomAbs_Torus:
      putAxis(row, s.Torus().Axis(), s.Torus().MajorRadius());
      break;
    case GeomAbs_Sphere: {
      const gp_Sphere c = s.Sphere();
      put(row + F_ORIGIN, c.Location().XYZ());
      row[F_RADIUS] = c.Radius();
      row[F_HAS_ORIGIN] = row[F_HAS_RADIUS] = 1;
      break;
    }
    default:
      break;
  }
}

// Append a face's triangulation (nodes placed by the face's location; winding flipped on reversed
// faces) and write its bounding box into the face's row.
void appendTriangulation(Result& r, const TopoDS_Face& face, uint32_t index, bool reversed, double* row) {
  double min[3] = {INFINITY, INFINITY, INFINITY};
  double max[3] = {-INFINITY, -INFINITY, -INFINITY};
  TopLoc_Location loc;
  const Handle(Poly_Triangulation) tri = BRep_Tool::Triangulation(face, loc);
  if (!tri.IsNull()) {
    const bool moved = !loc.IsIdentity();
    const gp_Trsf trsf = moved ? loc.Transformation() : gp_Trsf();
    const uint32_t base = r.positions.size() / 3;
    for (int n = 1; n <= tri->NbNodes(); n++) {
      gp_Pnt p = tri->Node(n);
      if (moved) p.Transform(trsf);
      const double xyz[3] = {p.X(), p.Y(), p.Z()};
      for (int k = 0; k < 3; k++) {
        r.positions.push_back(static_cast<float>(xyz[k]));
        if (xyz[k] < min[k]) min[k] = xyz[k];
        if (xyz[k] > max[k]) max[k] = xyz[k];
      }
      r.vertexFaces.push_back(index);
    }
    for (int t = 1; t <= tri->NbTriangles(); t++) {
      int a, b, c;
      tri->Triangle(t).Get(a, b, c);
      r.indices.push_back(base + a - 1);
      if (reversed) {
        r.indices.push_back(base + c - 1);
        r.indices.push_back(base + b - 1);
      } else {
        r.indices.push_back(base + b - 1);
        r.indices.push_back(base + c - 1);
      }
      r.triangleFaces.push_back(index);
    }
  }
  for (int k = 0; k < 3; k++) {
    row[F_BBOX_MIN + k] = min[k];
    row[F_BBOX_MAX + k] = max[k];
  }
}

// The STEP entity name of every face, in face-map order: one pass over the transfer's results (OCCT's
// EntityFromShapeResult scans all of them for every face). The first result naming a face wins.
void stepNames(const STEPControl_Reader& reader, const TopTools_IndexedMapOfShape& faceMap,
               std::vector<std::string>& names, std::vector<char>& named) {
  std::vector<char> found(faceMap.Extent(), 0);
  const Handle(Transfer_TransientProcess) process = reader.WS()->TransferReader()->TransientProcess();
  for (int i = 1; i <= process->NbMapped(); i++) {
    const Handle(TransferBRep_BinderOfShape) binder = Handle(TransferBRep_BinderOfShape)::DownCast(process->MapItem(i));
    if (binder.IsNull()) continue;
    const TopoDS_Shape& shape = binder->Result();
    const int index = !shape.IsNull() && shape.ShapeType() == TopAbs_FACE ? faceMap.FindIndex(shape) : 0;
    if (index <= 0 || found[index - 1]) continue;
    found[index - 1] = 1;
    const Handle(StepRepr_RepresentationItem) item = Handle(StepRepr_RepresentationItem)::DownCast(process->Mapped(i));
    if (!item.IsNull() && !item->Name().IsNull()) {
      names[index - 1] = item->Name()->ToCString();
      named[index - 1] = 1;
    }
  }
}

int orientationIn(const TopoDS_Face& face, const TopoDS_Edge& edge) {
  for (TopExp_Explorer ex(face, TopAbs_EDGE); ex.More(); ex.Next()) {
    if (ex.Current().IsSame(edge)) return ex.Current().Orientation();
  }
  return TopAbs_FORWARD;
}

// Outward normals of faces at points of their edges: one surface evaluator per face, kept for all of
// its edges; the point's (u, v) from the edge's curve on the face (its p-curve), or, when the face has
// none, from projecting the point onto the surface.
class FaceNormals {
 public:
  bool at(int index, const TopoDS_Face& face, const TopoDS_Edge& edge, double u, const gp_Pnt& p, gp_XYZ& out) {
    auto it = cache.find(index);
    if (it == cache.end()) {
      auto entry = std::make_unique<Entry>(face);
      it = cache.emplace(index, std::move(entry)).first;
    }
    double pu, pv;
    uvOn(face, edge, u, p, pu, pv);
    BRepLProp_SLProps& props = it->second->props;
    props.SetParameters(pu, pv);
    if (!props.IsNormalDefined()) return false;
    out = props.Normal().XYZ();
    if (face.Orientation() == TopAbs_REVERSED) out.Reverse();
    return true;
  }

 private:
  struct Entry {
    BRepAdaptor_Surface adaptor;
    BRepLProp_SLProps props;
    explicit Entry(const TopoDS_Face& face) : adaptor(face, false), props(adaptor, 1, 1e-7) {}
  };
  std::map<int, std::unique_ptr<Entry>> cache;

  static void uvOn(const TopoDS_Face& face, const TopoDS_Edge& edge, double u, const gp_Pnt& p, double& pu,
                   double& pv) {
    try {
      BRepAdaptor_Curve2d pcurve(edge, face);
      const gp_Pnt2d uv = pcurve.Value(u);
      pu = uv.X();
      pv = uv.Y();
    } catch (const Standard_Failure&) {
      ShapeAnalysis_Surface analysis(BRep_Tool::Surface(face));
      const gp_Pnt2d uv = analysis.ValueOfUV(p, 1e-6);
      pu = uv.X();
      pv = uv.Y();
    }
  }
};

const double SMOOTH_DEGREES = 5;

// Faces that share an edge and how they meet; two faces meeting along several edges keep the
// sharpest description (the first non-smooth one).
void adjacency(Result& r, const TopoDS_Shape& shape, const TopTools_IndexedMapOfShape& faceMap) {
  TopTools_IndexedDataMapOfShapeListOfShape edgeFaces;
  TopExp::MapShapesAndAncestors(shape, TopAbs_EDGE, TopAbs_FACE, edgeFaces);
  FaceNormals normals;
  struct Record {
    int convexity;
    double angle;
  };
  std::map<std::pair<int, int>, Record> seen;
  for (int e = 1; e <= edgeFaces.Extent(); e++) {
    const TopTools_ListOfShape& list = edgeFaces(e);
    if (list.Extent() < 2) continue;  // a free edge (NIST files have some): no neighbour
    const TopoDS_Edge& edge = TopoDS::Edge(edgeFaces.FindKey(e));
    const TopoDS_Face& f1 = TopoDS::Face(list.First());
    const TopoDS_Face& f2 = TopoDS::Face(list.Last());
    if (f1.IsSame(f2)) continue;  // a seam
    const int i1 = faceMap.FindIndex(f1) - 1;
    const int i2 = faceMap.FindIndex(f2) - 1;
    BRepAdaptor_Curve curve(edge);
    const double u = (curve.FirstParameter() + curve.LastParameter()) / 2;
    gp_Pnt p;
    gp_Vec tangent;
    curve.D1(u, p, tangent);
    if (orientationIn(f1, edge) == TopAbs_REVERSED) tangent.Reverse();
    gp_XYZ n1, n2;
    const bool ok1 = normals.at(i1, f1, edge, u, p, n1);
    const bool ok2 = normals.at(i2, f2, edge, u, p, n2);
    int convexity = 0;
    double angle = 0;
    if (ok1 && ok2) {
      const gp_XYZ cross = n1.Crossed(n2);
      angle = std::atan2(cross.Modulus(), n1.Dot(n2)) * 180 / M_PI;
      if (angle >= SMOOTH_DEGREES) convexity = cross.Dot(tangent.XYZ()) > 0 ? 1 : 2;
    }
    const std::pair<int, int> key = i1 < i2 ? std::make_pair(i1, i2) : std::make_pair(i2, i1);
    auto prior = seen.find(key);
    if (prior == seen.end()) {
      seen.emplace(key, Record{convexity, angle});
    } else if (prior->second.convexity == 0 && convexity != 0) {
      prior->second = Record{convexity, angle};
    }
  }
  for (const auto& [key, record] : seen) {  // ordered by (a, b)
    r.edges.push_back(key.first);
    r.edges.push_back(key.second);
    r.edges.push_back(record.convexity);
    r.edgeAngles.push_back(record.angle);
  }
}

int count(const TopoDS_Shape& shape, TopAbs_ShapeEnum type) {
  TopTools_IndexedMapOfShape map;
  TopExp::MapShapes(shape, type, map);
  return map.Extent();
}

int run(Result& r, const char* path, double relative, double angular) {
  auto last = Clock::now();
  STEPControl_Reader reader;
  if (reader.ReadFile(path) != IFSelect_RetDone) return UNREADABLE;
  reader.TransferRoots(Message_ProgressRange());
  const TopoDS_Shape shape = reader.OneShape();
  if (shape.IsNull()) return NO_GEOMETRY;
  r.summary[10] = since(last);

  TopTools_IndexedMapOfShape faceMap;
  TopExp::MapShapes(shape, TopAbs_FACE, faceMap);
  const int faceCount = faceMap.Extent();
  r.summary[6] = faceCount;
  if (faceCount == 0) return NO_FACES;
  const int solids = count(shape, TopAbs_SOLID);
  r.summary[7] = solids;
  if (solids == 0) return NOT_A_SOLID;

  Bnd_Box box;
  BRepBndLib::Add(shape, box, false);
  double x0, y0, z0, x1, y1, z1;
  box.Get(x0, y0, z0, x1, y1, z1);
  const double bbox[6] = {x0, y0, z0, x1, y1, z1};
  std::copy(bbox, bbox + 6, r.summary.begin());
  const double diagonal = std::sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0) + (z1 - z0) * (z1 - z0));
  BRepMesh_IncrementalMesh mesher(shape, diagonal * relative, false, angular, false);
  r.summary[11] = since(last);

  std::vector<std::string> names(faceCount);
  std::vector<char> named(faceCount, 0);
  stepNames(reader, faceMap, names, named);
  r.faces.assign(static_cast<size_t>(faceCount) * FACE_STRIDE, 0.0);
  for (int i = 1; i <= faceCount; i++) {
    const TopoDS_Face& face = TopoDS::Face(faceMap(i));
    const bool reversed = face.Orientation() == TopAbs_REVERSED;
    double* row = r.faces.data() + static_cast<size_t>(i - 1) * FACE_STRIDE;
    const uint32_t first = r.triangleFaces.size();
    appendTriangulation(r, face, i - 1, reversed, row);
    row[F_TRIANGLE_FIRST] = first;
    row[F_TRIANGLE_COUNT] = r.triangleFaces.size() - first;
    GProp_GProps props;
    BRepGProp::SurfaceProperties(face, props, false, false);
    row[F_AREA] = props.Mass();
    describeSurface(face, reversed, row);
    row[F_REVERSED] = reversed ? 1 : 0;
    row[F_HAS_NAME] = named[i - 1];
    r.names += names[i - 1];
    r.names.push_back('\0');
  }
  r.summary[12] = since(last);
  adjacency(r, shape, faceMap);
  r.summary[13] = since(last);
  return OK;
}

template <typename T>
void slot(Result& r, ResultSlot s, const T* data, size_t length) {
  r.table[s * 2] = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(data));
  r.table[s * 2 + 1] = static_cast<uint32_t>(length);
}

}  // namespace

extern "C" {

int facet_run(const char* path, double relative, double angular) {
  static bool quiet = false;
  if (!quiet) {
    // OCCT's reader prints progress and warnings: the pipeline reports its own findings
    Message::DefaultMessenger()->RemovePrinters(STANDARD_TYPE(Message_Printer));
    quiet = true;
  }
  delete current;
  current = new Result();
  Result& r = *current;
  int status;
  try {
    status = run(r, path, relative, angular);
  } catch (const Standard_Failure& e) {
    r.message = std::string(e.DynamicType()->Name()) + ": " + (e.GetMessageString() ? e.GetMessageString() : "");
    status = FAILED;
  } catch (const std::bad_alloc&) {
    r.message = "out of memory";
    status = FAILED;
  } catch (const std::exception& e) {
    r.message = e.what();
    status = FAILED;
  } catch (...) {
    r.message = "unknown error";
    status = FAILED;
  }
  slot(r, S_POSITIONS, r.positions.data(), r.positions.size());
  slot(r, S_INDICES, r.indices.data(), r.indices.size());
  slot(r, S_TRIANGLE_FACES, r.triangleFaces.data(), r.triangleFaces.size());
  slot(r, S_VERTEX_FACES, r.vertexFaces.data(), r.vertexFaces.size());
  slot(r, S_FACES, r.faces.data(), r.faces.size());
  slot(r, S_EDGES, r.edges.data(), r.edges.size());
  slot(r, S_EDGE_ANGLES, r.edgeAngles.data(), r.edgeAngles.size());
  slot(r, S_NAMES, r.names.data(), r.names.size());
  slot(r, S_SUMMARY, r.summary.data(), r.summary.size());
  slot(r, S_MESSAGE, r.message.c_str(), r.message.size());
  return status;
}

const uint32_t* facet_result() { return current ? current->table : nullptr; }

void facet_release() {
  delete current;
  current = nullptr;
}
}
