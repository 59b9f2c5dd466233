// Every screen of the portal: its path, title, the module that draws it and the export.
// `money: true` marks screens that move money (the idle timeout and its warning apply to
// every signed-in screen; these also refuse to keep a half-typed operation after it).
// `public: true` screens need no session.

export const MEMBER_ROUTES = [
  { path: '/banca/ingreso', title: 'Ingresa a Cooprogreso en Línea', module: 'auth', page: 'LoginPage', public: true },
  { path: '/banca/registro', title: 'Regístrate en Cooprogreso en Línea', module: 'auth', page: 'EnrollmentPage', public: true },
  { path: '/banca/recuperar-clave', title: 'Recupera tu clave', module: 'auth', page: 'RecoveryPage', public: true },
  { path: '/banca/cambiar-clave', title: 'Personaliza tu contraseña', module: 'auth', page: 'PasswordChangePage', passwordChange: true },
  { path: '/banca/seguridad', title: 'Seguridad: tus sesiones', module: 'security', page: 'SecurityPage' },

  { path: '/banca/productos', title: 'Resumen de Productos', module: 'products', page: 'PositionPage' },
  { path: '/banca/productos/movimientos', title: 'Detalle de Movimientos', module: 'products', page: 'MovementsPage' },
  { path: '/banca/productos/cuentas/:numero', title: 'Detalle de cuenta', module: 'products', page: 'AccountPage' },
  { path: '/banca/productos/creditos/:numero', title: 'Detalle de Préstamos', module: 'products', page: 'LoanPage' },
  { path: '/banca/productos/inversiones', title: 'Inversiones', module: 'products', page: 'InvestmentsPage' },
  { path: '/banca/productos/tarjetas/:id', title: 'Tarjeta de Crédito', module: 'products', page: 'CardPage' },

  { path: '/banca/transferencias', title: 'Transferencias', module: 'transfers', page: 'TransfersMenuPage' },
  { path: '/banca/transferencias/mis-cuentas', title: 'Transferencias a mis Cuentas', module: 'transfers', page: 'OwnTransferPage', money: true },
  { path: '/banca/transferencias/cooprogreso', title: 'Transferencias Cooprogreso', module: 'transfers', page: 'CooprogresoTransferPage', money: true },
  { path: '/banca/transferencias/interbancarias', title: 'Transferencias Interbancarias', module: 'transfers', page: 'InterbankTransferPage', money: true },
  { path: '/banca/beneficiarios', title: 'Administración de Beneficiarios', module: 'beneficiaries', page: 'BeneficiariesPage' },
  { path: '/banca/operaciones/:clave', title: 'Confirma tu operación', module: 'operation', page: 'OperationPage', money: true },

  { path: '/banca/servicios', title: 'Pago de Servicios', module: 'services', page: 'ServicesPage', money: true },
  { path: '/banca/servicios/programados', title: 'Pagos Programados', module: 'scheduled', page: 'ScheduleNewPage', money: true },
  { path: '/banca/servicios/programados/consultar', title: 'Consultar Pagos Programados', module: 'scheduled', page: 'ScheduleListPage', money: true },
  { path: '/banca/servicios/historial', title: 'Historial de Pagos', module: 'history', page: 'HistoryPage' },

  { path: '/banca/tarjetas/cooprogreso', title: 'Pago de Tarjetas Cooprogreso', module: 'card_payments', page: 'CooprogresoCardsPage', money: true },
  { path: '/banca/tarjetas/otros-bancos', title: 'Pago de Tarjetas de Otros Bancos', module: 'card_payments', page: 'OtherBankCardsPage', money: true },
  { path: '/banca/diferidos', title: 'Diferido de tarjetas', module: 'deferrals', page: 'DeferralsPage', money: true },

  { path: '/banca/contacto', title: 'Contacto', module: 'info', page: 'ContactPage' },
  { path: '/banca/solicitudes', title: 'Solicita tus productos', module: 'info', page: 'ProductRequestPage' },
  { path: '/banca/campanas', title: 'Campañas de créditos preaprobados', module: 'credit', page: 'CampaignsPage', money: true },
  { path: '/banca/campanas/:campana', title: 'Tu crédito preaprobado', module: 'credit', page: 'CreditJourneyPage', money: true },
  { path: '/banca/ayuda', title: 'Ayuda — Preguntas frecuentes', module: 'info', page: 'HelpPage' },
];

export const OFFICER_ROUTES = [
  { path: '/oficial/ingreso', title: 'Ingreso de oficiales de crédito', module: 'auth', page: 'LoginPage', public: true },
  { path: '/oficial', title: 'Solicitudes de crédito preaprobado', module: 'officer', page: 'JourneysPage' },
  { path: '/oficial/campanas', title: 'Cargar campaña', module: 'officer', page: 'CampaignLoadPage' },
  { path: '/oficial/jornadas/:id', title: 'Solicitud de crédito', module: 'officer', page: 'JourneyPage' },
  { path: '/oficial/solicitudes', title: 'Solicitudes de productos', module: 'officer', page: 'ProductRequestsPage' },
];

export const SIGNING_ROUTES = [
  { path: '/firma/:token', title: 'Firma electrónica de tu crédito', module: 'signing', page: 'SigningPage', public: true },
];

/** The "Menú de opciones" of the manual, in its order. `offers` adds Campañas. */
export function memberMenu({ offers = false } = {}) {
  return [
    {
      label: 'Productos',
      items: [
        ['Resumen de Productos', '/banca/productos'],
        ['Detalle de Movimientos', '/banca/productos/movimientos'],
        ['Inversiones', '/banca/productos/inversiones'],
      ],
    },
    {
      label: 'Transferencias',
      items: [
        ['Transferencias a mis Cuentas', '/banca/transferencias/mis-cuentas'],
        ['Transferencias Cooprogreso', '/banca/transferencias/cooprogreso'],
        ['Transferencias Interbancarias', '/banca/transferencias/interbancarias'],
        ['Administración de Beneficiarios', '/banca/beneficiarios'],
      ],
    },
    {
      label: 'Pago de Servicios',
      items: [
        ['Registro de Servicios', '/banca/servicios'],
        ['Pagos Programados', '/banca/servicios/programados'],
        ['Consultar Pagos Programados', '/banca/servicios/programados/consultar'],
        ['Historial de Pagos', '/banca/servicios/historial'],
      ],
    },
    {
      label: 'Pago de Tarjetas',
      items: [
        ['Tarjetas Cooprogreso', '/banca/tarjetas/cooprogreso'],
        ['Otros Bancos', '/banca/tarjetas/otros-bancos'],
      ],
    },
    { label: 'Diferido de tarjetas', href: '/banca/diferidos' },
    { label: 'Contacto', href: '/banca/contacto' },
    { label: 'Solicita tus productos', href: '/banca/solicitudes' },
    offers && { label: 'Campañas de créditos preaprobados', href: '/banca/campanas' },
    { label: 'Ayuda', href: '/banca/ayuda' },
  ].filter(Boolean);
}

export function officerMenu() {
  return [
    { label: 'Solicitudes de crédito', href: '/oficial' },
    { label: 'Cargar campaña', href: '/oficial/campanas' },
    { label: 'Solicitudes de productos', href: '/oficial/solicitudes' },
  ];
}
