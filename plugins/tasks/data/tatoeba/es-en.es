El perro está durmiendo debajo de la mesa.
No entiendo.
Mary compró tres manzanas.
Me encanta la música.
La tienda cierra a las 6.
Tengo dos hermanos y una hermana.
¿Cuánto cuesta esto?
Ella lee un libro cada semana.
Fuimos a París en 2019.
John juega al fútbol los domingos.
El café está demasiado caliente.
Mi madre es médica.
¿Puedes ayudarme, por favor?
Vivo en Berlín.
Hoy está lloviendo.
Tokio es una ciudad muy grande.
Tom tiene 25 años.
La reunión empieza a las 10.
¿Dónde está la estación de tren?
Gracias por tu ayuda.
