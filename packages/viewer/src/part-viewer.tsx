"use client";

import { Canvas, type ThreeEvent, useLoader, useThree } from "@react-three/fiber";
import { type ReactNode, Suspense, useEffect, useMemo, useRef, useState } from "react";
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { type GLTF, GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";

/** A pleasant, stable colour per face: neighbours differ, the same face keeps its colour. */
export function faceColour(face: number): THREE.Color {
  const hue = (face * 0.618033988749895) % 1;
  return new THREE.Color().setHSL(hue, 0.35, 0.62);
}

const HOVER = new THREE.Color("#ffb000");

function Controls({ target, radius }: { target: THREE.Vector3; radius: number }) {
  const { camera, gl } = useThree();
  useEffect(() => {
    camera.position.copy(target.clone().add(new THREE.Vector3(1, 0.8, 1.2).normalize().multiplyScalar(radius * 2.6)));
    camera.near = radius / 100;
    camera.far = radius * 100;
    camera.lookAt(target);
    camera.updateProjectionMatrix();
    const controls = new OrbitControls(camera, gl.domElement);
    controls.target.copy(target);
    controls.enableDamping = false;
    controls.update();
    return () => controls.dispose();
  }, [camera, gl, target, radius]);
  return null;
}

function Model({
  url,
  onHover,
  onReady,
}: {
  url: string;
  onHover: (face: number | null) => void;
  onReady: (faces: number) => void;
}) {
  const gltf = useLoader(GLTFLoader, url) as GLTF;
  const hovered = useRef<number | null>(null);
  const { geometry, faceOf, faceCount, center, radius } = useMemo(() => {
    const mesh = gltf.scene.getObjectByProperty("type", "Mesh") as THREE.Mesh;
    const g = (mesh.geometry as THREE.BufferGeometry).clone();
    g.computeVertexNormals();
    const ids = g.getAttribute("_face_id") as THREE.BufferAttribute;
    const colours = new Float32Array(ids.count * 3);
    let max = -1;
    for (let v = 0; v < ids.count; v++) {
      const f = ids.getX(v);
      max = Math.max(max, f);
      faceColour(f).toArray(colours, v * 3);
    }
    g.setAttribute("color", new THREE.BufferAttribute(colours, 3));
    g.computeBoundingSphere();
    const sphere = g.boundingSphere as THREE.Sphere;
    const index = g.getIndex() as THREE.BufferAttribute;
    return {
      geometry: g,
      faceOf: (triangle: number) => ids.getX(index.getX(triangle * 3)),
      faceCount: max + 1,
      center: sphere.center.clone(),
      radius: sphere.radius || 1,
    };
  }, [gltf]);

  useEffect(() => onReady(faceCount), [faceCount, onReady]);

  const paint = (face: number | null, colour: (f: number) => THREE.Color) => {
    if (face === null) return;
    const ids = geometry.getAttribute("_face_id") as THREE.BufferAttribute;
    const colours = geometry.getAttribute("color") as THREE.BufferAttribute;
    const c = colour(face);
    for (let v = 0; v < ids.count; v++) if (ids.getX(v) === face) colours.setXYZ(v, c.r, c.g, c.b);
    colours.needsUpdate = true;
  };
  const hover = (face: number | null) => {
    if (face === hovered.current) return;
    paint(hovered.current, faceColour);
    hovered.current = face;
    paint(face, () => HOVER);
    onHover(face);
  };

  return (
    <>
      <Controls target={center} radius={radius} />
      <mesh
        geometry={geometry}
        onPointerMove={(e: ThreeEvent<PointerEvent>) => {
          e.stopPropagation();
          if (e.faceIndex !== undefined && e.faceIndex !== null) hover(faceOf(e.faceIndex));
        }}
        onPointerOut={() => hover(null)}
      >
        <meshStandardMaterial vertexColors side={THREE.DoubleSide} roughness={0.7} metalness={0.05} />
      </mesh>
    </>
  );
}

/**
 * A part's B-rep faces in 3D: orbit, zoom and pan with the mouse; each face has its own colour; the
 * face under the pointer is highlighted and named. (Selection and labelling come with the workbench.)
 */
export function PartViewer({
  meshUrl,
  describeFace,
  height = 480,
}: {
  meshUrl: string;
  describeFace?: (face: number) => ReactNode;
  height?: number;
}) {
  const [hovered, setHovered] = useState<number | null>(null);
  const [faces, setFaces] = useState<number | null>(null);
  return (
    <div
      className="part-viewer"
      data-viewer={faces === null ? "loading" : "ready"}
      data-face-count={faces ?? undefined}
      style={{ position: "relative", height, borderRadius: 6, overflow: "hidden", background: "#20242b" }}
    >
      <Canvas camera={{ fov: 40 }} gl={{ preserveDrawingBuffer: true, antialias: true }} dpr={[1, 2]}>
        <ambientLight intensity={0.55} />
        <directionalLight position={[3, 5, 4]} intensity={1.6} />
        <directionalLight position={[-4, -2, -3]} intensity={0.5} />
        <Suspense fallback={null}>
          <Model url={meshUrl} onHover={setHovered} onReady={setFaces} />
        </Suspense>
      </Canvas>
      <div
        style={{
          position: "absolute",
          left: 10,
          bottom: 8,
          color: "#e6e9ee",
          font: "12px system-ui",
          pointerEvents: "none",
        }}
      >
        {faces === null
          ? "Loading mesh…"
          : hovered === null
            ? `${faces} faces · drag to orbit, scroll to zoom`
            : (describeFace?.(hovered) ?? `face ${hovered}`)}
      </div>
    </div>
  );
}
