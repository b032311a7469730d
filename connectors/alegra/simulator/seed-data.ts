/** Vocabulary for realistic Colombian and Mexican sample accounts (seed.ts, activity.ts). */

export const CO_FIRST_NAMES = [
  "Juan", "Carlos", "Andrés", "Felipe", "Santiago", "Alejandro", "Camilo", "Mauricio", "Jorge", "Luis",
  "María", "Ana", "Laura", "Catalina", "Valentina", "Daniela", "Paola", "Natalia", "Juliana", "Diana"
]
export const MX_FIRST_NAMES = [
  "José", "Miguel", "Alejandro", "Fernando", "Ricardo", "Eduardo", "Arturo", "Javier", "Raúl", "Héctor",
  "Guadalupe", "Verónica", "Mariana", "Gabriela", "Fernanda", "Adriana", "Claudia", "Lucía", "Ximena", "Alejandra"
]
export const CO_SURNAMES = [
  "Rodríguez", "Gómez", "González", "Martínez", "García", "López", "Hernández", "Sánchez", "Ramírez", "Pérez",
  "Díaz", "Muñoz", "Rojas", "Moreno", "Jiménez", "Vargas", "Castro", "Ospina", "Restrepo", "Cárdenas"
]
export const MX_SURNAMES = [
  "Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz",
  "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Mendoza", "Ruiz", "Aguilar"
]
export const COMPANY_PREFIXES = [
  "Distribuidora", "Comercializadora", "Inversiones", "Ferretería", "Suministros", "Importadora", "Servicios",
  "Papelería", "Tecnología", "Constructora", "Transportes", "Alimentos", "Laboratorios", "Agropecuaria", "Soluciones"
]
export const COMPANY_WORDS = [
  "Andina", "del Valle", "La Montaña", "El Dorado", "Caribe", "del Pacífico", "Central", "La Esperanza", "San José",
  "Los Andes", "del Norte", "Integral", "Omega", "Horizonte", "La 14", "Santa Fe", "del Bajío", "Azteca", "Sierra Madre",
  "Nueva Granada", "Occidente", "Mar Azul", "Altiplano", "Del Sol", "Antioquia", "Monterrey", "Tapatía", "Los Pinos"
]
export const CO_COMPANY_SUFFIXES = ["S.A.S.", "S.A.S", "Ltda.", "S.A.", "SAS", "& Cía. S. en C."]
export const MX_COMPANY_SUFFIXES = ["S.A. de C.V.", "S. de R.L. de C.V.", "S.A.P.I. de C.V.", "S.C."]

export const CO_CITIES: ReadonlyArray<{ city: string; department: string; zip: string; phone: string }> = [
  { city: "Bogotá", department: "Bogotá D.C.", zip: "110111", phone: "601" },
  { city: "Medellín", department: "Antioquia", zip: "050021", phone: "604" },
  { city: "Cali", department: "Valle del Cauca", zip: "760001", phone: "602" },
  { city: "Barranquilla", department: "Atlántico", zip: "080001", phone: "605" },
  { city: "Bucaramanga", department: "Santander", zip: "680001", phone: "607" },
  { city: "Pereira", department: "Risaralda", zip: "660001", phone: "606" },
  { city: "Cartagena", department: "Bolívar", zip: "130001", phone: "605" }
]
export const MX_CITIES: ReadonlyArray<{ city: string; state: string; zip: string; phone: string; colony: string }> = [
  { city: "Ciudad de México", state: "CDMX", zip: "06600", phone: "55", colony: "Juárez" },
  { city: "Guadalajara", state: "Jalisco", zip: "44100", phone: "33", colony: "Centro" },
  { city: "Monterrey", state: "Nuevo León", zip: "64000", phone: "81", colony: "Obispado" },
  { city: "Puebla", state: "Puebla", zip: "72000", phone: "222", colony: "La Paz" },
  { city: "Querétaro", state: "Querétaro", zip: "76000", phone: "442", colony: "Centro Sur" }
]
export const CO_STREETS = ["Calle", "Carrera", "Avenida", "Diagonal", "Transversal"]
export const MX_STREETS = ["Av. Insurgentes Sur", "Calle Hidalgo", "Av. Reforma", "Calle Morelos", "Av. Juárez", "Calle 5 de Mayo"]
export const EMAIL_DOMAINS_CO = ["gmail.com", "hotmail.com", "outlook.com", "empresa.com.co", "correo.co"]
export const EMAIL_DOMAINS_MX = ["gmail.com", "hotmail.com", "prodigy.net.mx", "empresa.com.mx", "outlook.com"]

export interface ProductFamily {
  readonly code: string
  readonly names: ReadonlyArray<string>
  readonly variants: ReadonlyArray<string>
  readonly minPrice: number
  readonly maxPrice: number
  readonly service: boolean
  readonly productKey: string
}

export const PRODUCT_FAMILIES: ReadonlyArray<ProductFamily> = [
  { code: "PAP", names: ["Resma papel carta 75g", "Resma papel oficio 75g", "Cuaderno argollado", "Sobre manila", "Carpeta legajadora", "Post-it 3x3"], variants: ["", "x5", "x10", "caja x12"], minPrice: 2500, maxPrice: 95000, service: false, productKey: "14111507" },
  { code: "TON", names: ["Tóner HP 85A", "Tóner Brother TN-1060", "Cartucho Epson 664", "Tóner Samsung D111", "Cartucho Canon PG-145"], variants: ["", "original", "compatible"], minPrice: 45000, maxPrice: 380000, service: false, productKey: "44103103" },
  { code: "FER", names: ["Tornillo drywall 6x1", "Taladro percutor 1/2", "Cinta aislante 3M", "Broca concreto 3/8", "Martillo de uña 16oz", "Llave expansiva 10\""], variants: ["", "x100", "profesional", "industrial"], minPrice: 1200, maxPrice: 420000, service: false, productKey: "27111700" },
  { code: "TEC", names: ["Mouse inalámbrico", "Teclado USB", "Monitor 24\" IPS", "Disco SSD 480GB", "Memoria RAM 8GB DDR4", "Router WiFi AC1200", "Cable HDMI 2m"], variants: ["", "negro", "gris", "pro"], minPrice: 18000, maxPrice: 980000, service: false, productKey: "43211500" },
  { code: "MOB", names: ["Silla ergonómica", "Escritorio en L", "Archivador metálico 4 cajones", "Mesa de juntas", "Locker 6 puestos"], variants: ["", "negro", "roble", "blanco"], minPrice: 180000, maxPrice: 2400000, service: false, productKey: "56101500" },
  { code: "ASE", names: ["Jabón líquido 1L", "Desinfectante 3.8L", "Toallas de papel x6", "Bolsas de basura x10", "Guantes de nitrilo x100"], variants: ["", "lavanda", "neutro"], minPrice: 3800, maxPrice: 65000, service: false, productKey: "47131800" },
  { code: "SRV", names: ["Servicio de instalación", "Mantenimiento preventivo", "Soporte técnico por hora", "Consultoría contable", "Capacitación en Excel", "Transporte y entrega"], variants: ["", "urgente", "fin de semana", "mensual"], minPrice: 60000, maxPrice: 1800000, service: true, productKey: "81111800" },
  { code: "LIC", names: ["Licencia software contable", "Licencia antivirus", "Suscripción nube 100GB", "Licencia ofimática"], variants: ["(anual)", "(mensual)", "(3 usuarios)"], minPrice: 35000, maxPrice: 1200000, service: true, productKey: "43232300" }
]

/** The chart of accounts, parents before children. */
export const CHART: ReadonlyArray<{ code: string; name: string; type: string; parent: string | null; description?: string }> = [
  { code: "1", name: "Activos", type: "asset", parent: null, description: "Bienes y derechos de la empresa" },
  { code: "2", name: "Pasivos", type: "liability", parent: null, description: "Obligaciones con terceros" },
  { code: "3", name: "Patrimonio", type: "equity", parent: null },
  { code: "4", name: "Ingresos", type: "income", parent: null, description: "Bajo esta categoría se encuentran todos los ingresos principales." },
  { code: "5", name: "Gastos", type: "expense", parent: null },
  { code: "6", name: "Costos", type: "cost", parent: null },
  { code: "4135", name: "Ventas de productos", type: "income", parent: "4" },
  { code: "4155", name: "Ingresos por servicios", type: "income", parent: "4" },
  { code: "4210", name: "Ingresos financieros", type: "income", parent: "4" },
  { code: "5105", name: "Gastos de personal", type: "expense", parent: "5" },
  { code: "5120", name: "Arrendamientos", type: "expense", parent: "5" },
  { code: "5135", name: "Servicios", type: "expense", parent: "5" },
  { code: "5145", name: "Mantenimiento y reparaciones", type: "expense", parent: "5" },
  { code: "5195", name: "Gastos diversos", type: "expense", parent: "5" },
  { code: "5305", name: "Gastos bancarios", type: "expense", parent: "5" },
  { code: "6135", name: "Costo de ventas", type: "cost", parent: "6" },
  { code: "1105", name: "Caja", type: "asset", parent: "1" },
  { code: "1110", name: "Bancos", type: "asset", parent: "1" },
  { code: "1305", name: "Clientes", type: "asset", parent: "1" },
  { code: "2205", name: "Proveedores", type: "liability", parent: "2" },
  { code: "2408", name: "IVA por pagar", type: "liability", parent: "2" },
  { code: "3105", name: "Capital social", type: "equity", parent: "3" },
  { code: "512010", name: "Arriendo oficina", type: "expense", parent: "5120" },
  { code: "513505", name: "Energía eléctrica", type: "expense", parent: "5135" },
  { code: "513525", name: "Internet y telefonía", type: "expense", parent: "5135" },
  { code: "513535", name: "Acueducto y alcantarillado", type: "expense", parent: "5135" },
  { code: "519530", name: "Útiles, papelería y fotocopias", type: "expense", parent: "5195" },
  { code: "519545", name: "Taxis y buses", type: "expense", parent: "5195" },
  { code: "510506", name: "Sueldos", type: "expense", parent: "5105" },
  { code: "510527", name: "Auxilio de transporte", type: "expense", parent: "5105" },
  { code: "530505", name: "Comisiones bancarias", type: "expense", parent: "5305" },
  { code: "530520", name: "Gravamen a los movimientos financieros", type: "expense", parent: "5305" },
  { code: "421005", name: "Intereses", type: "income", parent: "4210" },
  { code: "421020", name: "Diferencia en cambio", type: "income", parent: "4210" },
  { code: "414505", name: "Asesorías", type: "income", parent: "4155" },
  { code: "413505", name: "Venta de mercancías", type: "income", parent: "4135" },
  { code: "514505", name: "Mantenimiento de equipos", type: "expense", parent: "5145" },
  { code: "514510", name: "Mantenimiento de vehículos", type: "expense", parent: "5145" },
  { code: "613505", name: "Costo de mercancía vendida", type: "cost", parent: "6135" },
  { code: "110505", name: "Caja general", type: "asset", parent: "1105" }
]

export const BANK_ACCOUNTS: ReadonlyArray<{ name: string; number: string | null; type: "bank" | "credit-card" | "cash"; initialBalance: number; description: string }> = [
  { name: "Bancolombia Ahorros", number: "23100045871", type: "bank", initialBalance: 12500000, description: "Cuenta principal de recaudo" },
  { name: "Caja general", number: null, type: "cash", initialBalance: 850000, description: "Efectivo en oficina" },
  { name: "Davivienda Corriente", number: "0570012345678", type: "bank", initialBalance: 4300000, description: "Pagos a proveedores" },
  { name: "Tarjeta Visa Empresarial", number: "4532", type: "credit-card", initialBalance: 0, description: "Gastos de representación" },
  { name: "BBVA México Cheques", number: "0123456789", type: "bank", initialBalance: 185000, description: "Operación México" },
  { name: "Nequi Empresas", number: "3105550199", type: "bank", initialBalance: 250000, description: "Pagos digitales" }
]

export const OBSERVATIONS = [
  "Entregar en horario de oficina.",
  "Pago a 30 días según acuerdo comercial.",
  "Favor consignar en la cuenta Bancolombia.",
  "Incluye transporte a bodega del cliente.",
  "Garantía de 12 meses por defectos de fábrica.",
  "Pedido según orden de compra OC-",
  "Cliente frecuente: descuento aplicado."
]

/** Check digit of a Colombian NIT (DIAN algorithm). */
export const nitDv = (nit: string): string => {
  const weights = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71]
  let sum = 0
  const digits = nit.split("").reverse()
  digits.forEach((d, i) => {
    sum += Number(d) * (weights[i] ?? 0)
  })
  const r = sum % 11
  return String(r > 1 ? 11 - r : r)
}
