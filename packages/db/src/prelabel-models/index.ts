export * from "./models";
export * from "./training";
