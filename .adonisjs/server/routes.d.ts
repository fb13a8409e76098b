import '@adonisjs/core/types/http'

type ParamValue = string | number | bigint | boolean

export type ScannedRoutes = {
  ALL: {
    'locale.update': { paramsTuple: [ParamValue]; params: {'locale': ParamValue} }
    'platform.home': { paramsTuple?: []; params?: {} }
  }
  GET: {
    'locale.update': { paramsTuple: [ParamValue]; params: {'locale': ParamValue} }
    'platform.home': { paramsTuple?: []; params?: {} }
  }
  HEAD: {
    'locale.update': { paramsTuple: [ParamValue]; params: {'locale': ParamValue} }
    'platform.home': { paramsTuple?: []; params?: {} }
  }
}
declare module '@adonisjs/core/types/http' {
  export interface RoutesList extends ScannedRoutes {}
}