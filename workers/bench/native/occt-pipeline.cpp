// Native OCCT (Debian's libocct 7.6) doing what packages/geometry does in WebAssembly: read the STEP
// file, check it holds a solid, mesh it at the same relative deflection, then walk every face
// (triangulation, exact area, surface type, STEP name) and every edge between two faces (normals at
// the edge's midpoint). One warm process for all files, like the geometry worker. Prints one JSON
// line per file: {"file", "faces", "triangles", "read_ms", "mesh_ms", "faces_ms", "adjacency_ms", "total_ms"}.
// Usage: occt-pipeline <corpus-dir> <relative-deflection> <angular-deflection> <file>...
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
#include <Message.hxx>
#include <Message_Messenger.hxx>
#include <Poly_Triangulation.hxx>
#include <STEPControl_Reader.hxx>
#include <StepRepr_RepresentationItem.hxx>
#include <TCollection_HAsciiString.hxx>
#include <TopExp.hxx>
#include <TopExp_Explorer.hxx>
#include <TopTools_IndexedDataMapOfShapeListOfShape.hxx>
#include <TopTools_IndexedMapOfShape.hxx>
#include <TopoDS.hxx>
#include <TransferBRep.hxx>
#include <Transfer_TransientProcess.hxx>
#include <XSControl_TransferReader.hxx>
#include <XSControl_WorkSession.hxx>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

using Clock = std::chrono::steady_clock;
static double ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

static gp_Dir outward(const TopoDS_Face& face, const TopoDS_Edge& edge, double u, bool& ok) {
  BRepAdaptor_Curve2d pcurve(edge, face);
  gp_Pnt2d uv = pcurve.Value(u);
  BRepAdaptor_Surface surface(face, false);
  BRepLProp_SLProps props(surface, uv.X(), uv.Y(), 1, 1e-7);
  ok = props.IsNormalDefined();
  if (!ok) return gp_Dir(0, 0, 1);
  gp_Dir n = props.Normal();
  return face.Orientation() == TopAbs_REVERSED ? n.Reversed() : n;
}

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s <corpus-dir> <relative-deflection> <angular-deflection> <file>...\n", argv[0]);
    return 2;
  }
  Message::DefaultMessenger()->RemovePrinters(STANDARD_TYPE(Message_Printer));
  const std::string dir = argv[1];
  const double relative = std::atof(argv[2]);
  const double angular = std::atof(argv[3]);
  for (int a = 4; a < argc; a++) {
    const std::string file = argv[a];
    auto t0 = Clock::now();
    STEPControl_Reader reader;
    if (reader.ReadFile((dir + "/" + file).c_str()) != IFSelect_RetDone) {
      std::printf("{\"file\":\"%s\",\"ok\":false}\n", file.c_str());
      continue;
    }
    reader.TransferRoots();
    TopoDS_Shape shape = reader.OneShape();
    TopTools_IndexedMapOfShape faces, solids;
    TopExp::MapShapes(shape, TopAbs_FACE, faces);
    TopExp::MapShapes(shape, TopAbs_SOLID, solids);
    auto t1 = Clock::now();
    Bnd_Box box;
    BRepBndLib::Add(shape, box, false);
    double x0, y0, z0, x1, y1, z1;
    box.Get(x0, y0, z0, x1, y1, z1);
    const double diagonal = std::sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0) + (z1 - z0) * (z1 - z0));
    BRepMesh_IncrementalMesh mesher(shape, diagonal * relative, false, angular, false);
    auto t2 = Clock::now();

    // STEP names: one pass over the transfer's results
    std::vector<std::string> names(faces.Extent());
    Handle(Transfer_TransientProcess) tp = reader.WS()->TransferReader()->TransientProcess();
    for (int i = 1; i <= tp->NbMapped(); i++) {
      TopoDS_Shape result = TransferBRep::ShapeResult(tp->MapItem(i));
      if (result.IsNull() || result.ShapeType() != TopAbs_FACE) continue;
      int index = faces.FindIndex(result);
      auto item = Handle(StepRepr_RepresentationItem)::DownCast(tp->Mapped(i));
      if (index > 0 && !item.IsNull() && !item->Name().IsNull()) names[index - 1] = item->Name()->ToCString();
    }
    std::vector<float> positions;
    std::vector<unsigned> indices;
    double area = 0;
    int surfaces[16] = {0};
    for (int i = 1; i <= faces.Extent(); i++) {
      const TopoDS_Face& face = TopoDS::Face(faces(i));
      TopLoc_Location loc;
      Handle(Poly_Triangulation) tri = BRep_Tool::Triangulation(face, loc);
      if (!tri.IsNull()) {
        const unsigned base = positions.size() / 3;
        const gp_Trsf trsf = loc.Transformation();
        for (int n = 1; n <= tri->NbNodes(); n++) {
          gp_Pnt p = tri->Node(n).Transformed(trsf);
          positions.push_back(p.X());
          positions.push_back(p.Y());
          positions.push_back(p.Z());
        }
        for (int t = 1; t <= tri->NbTriangles(); t++) {
          int n1, n2, n3;
          tri->Triangle(t).Get(n1, n2, n3);
          indices.push_back(base + n1 - 1);
          indices.push_back(base + n2 - 1);
          indices.push_back(base + n3 - 1);
        }
      }
      GProp_GProps props;
      BRepGProp::SurfaceProperties(face, props);
      area += props.Mass();
      surfaces[BRepAdaptor_Surface(face, true).GetType()]++;
    }
    auto t3 = Clock::now();

    TopTools_IndexedDataMapOfShapeListOfShape edgeFaces;
    TopExp::MapShapesAndAncestors(shape, TopAbs_EDGE, TopAbs_FACE, edgeFaces);
    int convex = 0, concave = 0, smooth = 0;
    for (int e = 1; e <= edgeFaces.Extent(); e++) {
      const TopTools_ListOfShape& list = edgeFaces(e);
      if (list.Extent() < 2) continue;
      const TopoDS_Edge& edge = TopoDS::Edge(edgeFaces.FindKey(e));
      const TopoDS_Face& f1 = TopoDS::Face(list.First());
      const TopoDS_Face& f2 = TopoDS::Face(list.Last());
      if (f1.IsSame(f2)) continue;
      BRepAdaptor_Curve curve(edge);
      const double u = (curve.FirstParameter() + curve.LastParameter()) / 2;
      gp_Pnt p;
      gp_Vec tangent;
      curve.D1(u, p, tangent);
      for (TopExp_Explorer ex(f1, TopAbs_EDGE); ex.More(); ex.Next())
        if (ex.Current().IsSame(edge)) {
          if (ex.Current().Orientation() == TopAbs_REVERSED) tangent.Reverse();
          break;
        }
      bool ok1 = false, ok2 = false;
      try {
        gp_Dir n1 = outward(f1, edge, u, ok1);
        gp_Dir n2 = outward(f2, edge, u, ok2);
        if (ok1 && ok2 && n1.Angle(n2) >= 5 * M_PI / 180) {
          (gp_Vec(n1).Crossed(gp_Vec(n2)).Dot(tangent) > 0 ? convex : concave)++;
        } else {
          smooth++;
        }
      } catch (...) {
        smooth++;
      }
    }
    auto t4 = Clock::now();
    std::printf(
        "{\"file\":\"%s\",\"ok\":%s,\"faces\":%d,\"triangles\":%zu,\"area\":%.6f,\"convex\":%d,\"concave\":%d,"
        "\"smooth\":%d,\"read_ms\":%.2f,\"mesh_ms\":%.2f,\"faces_ms\":%.2f,\"adjacency_ms\":%.2f,\"total_ms\":%.2f}\n",
        file.c_str(), solids.Extent() > 0 ? "true" : "false", faces.Extent(), indices.size() / 3, area, convex,
        concave, smooth, ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t3, t4), ms(t0, t4));
    std::fflush(stdout);
  }
  return 0;
}
