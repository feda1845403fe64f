Ona czyta książkę co tydzień.
Gdzie jest dworzec kolejowy?
John gra w piłkę nożną w niedziele.
Mam dwóch braci i jedną siostrę.
Mieszkam w Berlinie.
Dzisiaj pada deszcz.
Tokio to bardzo duże miasto.
Czy możesz mi pomóc?
Mary kupiła trzy jabłka.
Pies śpi pod stołem.
Tom ma 25 lat.
Sklep zamyka się o 6.
Kocham muzykę.
Nie rozumiem.
Ile to kosztuje?
W 2019 roku pojechaliśmy do Paryża.
Moja mama jest lekarką.
Spotkanie zaczyna się o 10.
Kawa jest za gorąca.
Dziękuję za pomoc.
